/**
 * systemd's notify protocol without libsystemd: a datagram to $NOTIFY_SOCKET
 * (a filesystem path, or "@name" in the abstract namespace). READY=1, STATUS=,
 * WATCHDOG=1 and STOPPING=1 need nothing but the datagram; FDSTORE=1 adds the fds
 * as SCM_RIGHTS, and systemd hands them back on the next start (see sd-listen.ts).
 */
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { AF_UNIX, SOCK_CLOEXEC } from './constants.js';
import { sockaddrUn } from './sockaddr.js';
import { ScmBuffers, sendWithFds } from './scm.js';

const SOCK_DGRAM = 2;

export class SdNotifier {
  readonly path: string | undefined;
  #fd: OwnedFd | null = null;
  #libc: RawLibc;

  constructor(path = process.env.NOTIFY_SOCKET, libc?: RawLibc) {
    this.path = path || undefined;
    this.#libc = libc ?? (this.path ? realLibc() : (undefined as unknown as RawLibc));
  }

  get enabled(): boolean {
    return this.path !== undefined;
  }

  /** The connected notify socket, opened on first use. */
  socket(): OwnedFd {
    if (this.#fd) return this.#fd;
    const libc = this.#libc;
    const n = check(libc, 'socket(AF_UNIX, SOCK_DGRAM)', libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    const fd = new OwnedFd(n, 'sd_notify socket', libc);
    try {
      const { addr, len } = sockaddrUn(this.path!);
      check(libc, `connect(${this.path})`, libc.connect(n, addr, len));
    } catch (e) {
      fd.close();
      throw e;
    }
    this.#fd = fd;
    return fd;
  }

  /** Send "KEY=VALUE\n…"; a no-op outside systemd. */
  notify(fields: Record<string, string | number>): boolean {
    if (!this.enabled) return false;
    const msg = Buffer.from(Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\n'));
    const fd = this.socket();
    check(this.#libc, 'send(sd_notify)', this.#libc.write(fd.fd, msg, msg.length));
    return true;
  }

  /**
   * Put fds in the service's fd store under `name` (FDSTORE=1, FDNAME=). systemd
   * keeps its own duplicates across a restart of the service; ours stay open.
   * Needs FileDescriptorStoreMax= in the unit, or systemd drops them.
   */
  storeFds(name: string, fds: number[]): boolean {
    if (!this.enabled) return false;
    checkFdName(name);
    const msg = Buffer.from(`FDSTORE=1\nFDNAME=${name}`);
    const b = new ScmBuffers(msg.length, fds.length);
    if (!sendWithFds(this.#libc, this.socket().fd, msg, fds, b)) throw new Error('sd_notify(FDSTORE): notify socket full');
    return true;
  }

  /** Drop every fd stored under `name` (FDSTOREREMOVE=1). */
  removeFds(name: string): boolean {
    if (!this.enabled) return false;
    checkFdName(name);
    return this.notify({ FDSTOREREMOVE: 1, FDNAME: name });
  }

  close(): void {
    this.#fd?.close();
    this.#fd = null;
  }
}

/** systemd's rule for FDNAME: printable ASCII, no colon (LISTEN_FDNAMES is colon-separated), ≤ 255. */
export function checkFdName(name: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]{1,255}$/.test(name)) throw new RangeError(`invalid FDNAME ${JSON.stringify(name)}`);
  return name;
}

/** The watchdog interval systemd asked for (WATCHDOG_USEC, for this pid), or 0. */
export function watchdogUsec(env = process.env, pid = process.pid): number {
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  if (!usec) return 0;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return 0;
  return usec;
}
