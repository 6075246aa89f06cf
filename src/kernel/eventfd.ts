/**
 * An eventfd(2): the kernel's counter that VFIO signals an interrupt on. Always
 * non-blocking; waiting for it goes through libuv readiness, never a blocking read.
 */
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from './constants.js';
import { SysError } from './sys-error.js';
import { watchFd } from './poll.js';

const EAGAIN = 11;

export class Eventfd {
  readonly fd: OwnedFd;

  constructor(fd: OwnedFd) {
    this.fd = fd;
  }

  static create(label: string, libc: RawLibc = realLibc()): Eventfd {
    return new Eventfd(new OwnedFd(check(libc, `eventfd(${label})`, libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), label, libc));
  }

  /** The counter since the last read (reading resets it), or 0 when nothing was signalled. */
  take(): bigint {
    const libc = this.fd.libc;
    const b = Buffer.alloc(8);
    const n = libc.read(this.fd.fd, b, 8);
    if (n === -1) {
      const errno = libc.errno();
      if (errno === EAGAIN) return 0n;
      throw new SysError(`read(${this.fd.label})`, errno);
    }
    return b.readBigUInt64LE(0);
  }

  /** Resolves with the counter once the eventfd becomes readable, or 0 after `ms`. */
  wait(ms: number): Promise<bigint> {
    const now = this.take();
    if (now > 0n) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const w = watchFd(this.fd.fd, { readable: true }, (_ev, status) => {
        if (status < 0) { done(); reject(new Error(`poll(${this.fd.label}): libuv status ${status}`)); return; }
        const n = this.take();
        if (n > 0n) { done(); resolve(n); }
      });
      const timer = setTimeout(() => { done(); resolve(this.take()); }, ms);
      const done = () => { clearTimeout(timer); w.close(); };
    });
  }

  close(): void {
    this.fd.close();
  }
}
