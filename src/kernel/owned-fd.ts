import { check, realLibc, type RawLibc } from './libc.js';
import { F_DUPFD_CLOEXEC } from './constants.js';

/**
 * A file descriptor with exactly one owner. Every kernel object class holds one of
 * these; closing is idempotent so that error paths and `finally` blocks can close
 * without double-closing a number the kernel may already have reused.
 */
export class OwnedFd {
  #fd: number;
  readonly label: string;
  readonly libc: RawLibc;

  constructor(fd: number, label: string, libc: RawLibc = realLibc()) {
    if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`invalid fd ${fd} for ${label}`);
    this.#fd = fd;
    this.label = label;
    this.libc = libc;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The raw number; throws once closed so a stale number is never used. */
  get fd(): number {
    if (this.#fd < 0) throw new Error(`${this.label}: fd already closed`);
    return this.#fd;
  }

  /** A new, independent OwnedFd for the same open file (F_DUPFD_CLOEXEC). */
  dup(label = this.label): OwnedFd {
    const n = check(this.libc, `fcntl(F_DUPFD_CLOEXEC, ${this.label})`, this.libc.fcntl(this.fd, F_DUPFD_CLOEXEC, 3));
    return new OwnedFd(n, label, this.libc);
  }

  /**
   * Give up ownership without closing: the caller takes the raw number and becomes
   * responsible for it (used when an fd is handed to a child process or another owner).
   */
  release(): number {
    const n = this.fd;
    this.#fd = -1;
    return n;
  }

  /** Close once; later calls do nothing. */
  close(): void {
    if (this.#fd < 0) return;
    const n = this.#fd;
    this.#fd = -1;
    // close(2) releases the descriptor even when it reports an error (EINTR/EIO), so
    // the number must never be closed again whatever happens; errors are reported only.
    check(this.libc, `close(${this.label})`, this.libc.close(n));
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
