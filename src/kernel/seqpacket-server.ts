/**
 * The listening side of the fd channel: a SOCK_SEQPACKET Unix socket whose
 * accepted connections are SeqpacketConnections.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { SysError } from './sys-error.js';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_SEQPACKET } from './constants.js';
import { sockaddrUn } from './sockaddr.js';
import { watchFd, type FdWatch } from './poll.js';
import { SeqpacketConnection } from './seqpacket.js';

export class SeqpacketServer extends EventEmitter<{ connection: [SeqpacketConnection]; error: [Error] }> {
  readonly path: string;
  #fd: OwnedFd | null = null;
  #poll: FdWatch | null = null;
  #libc: RawLibc;

  constructor(path: string, libc: RawLibc = realLibc()) {
    super();
    this.path = path;
    this.#libc = libc;
  }

  listen(opts: { mode?: number; gid?: number; backlog?: number } = {}): void {
    const libc = this.#libc;
    try { fs.unlinkSync(this.path); } catch { /* nothing stale */ }
    const n = check(libc, 'socket(AF_UNIX, SOCK_SEQPACKET)', libc.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const fd = new OwnedFd(n, `seqpacket server ${this.path}`, libc);
    try {
      const { addr, len } = sockaddrUn(this.path);
      check(libc, `bind(${this.path})`, libc.bind(n, addr, len));
      fs.chmodSync(this.path, opts.mode ?? 0o660);
      // Born with the right group under the unit (Group=): then no chown (nor CAP_CHOWN) is needed.
      if (opts.gid !== undefined && fs.statSync(this.path).gid !== opts.gid) fs.chownSync(this.path, 0, opts.gid);
      check(libc, `listen(${this.path})`, libc.listen(n, opts.backlog ?? 4096));
    } catch (e) {
      fd.close();
      throw e;
    }
    this.#fd = fd;
    this.#poll = watchFd(n, { readable: true }, () => this.acceptAll());
  }

  private acceptAll(): void {
    for (;;) {
      if (!this.#fd) return;
      const n = this.#libc.accept4(this.#fd.fd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (n === -1) {
        const e = new SysError('accept4', this.#libc.errno());
        if (e.code === 'ECONNABORTED' || e.code === 'EINTR') continue;
        if (e.code !== 'EAGAIN') this.emit('error', e);
        return;
      }
      const owned = new OwnedFd(n, 'fd channel connection', this.#libc);
      let conn: SeqpacketConnection;
      try {
        conn = new SeqpacketConnection(owned);
      } catch (e) {
        owned.close();
        this.emit('error', e as Error);
        continue;
      }
      this.emit('connection', conn);
    }
  }

  close(): void {
    this.#poll?.close();
    this.#poll = null;
    this.#fd?.close();
    this.#fd = null;
    try { fs.unlinkSync(this.path); } catch { /* already gone */ }
  }
}
