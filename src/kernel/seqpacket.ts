/**
 * Non-blocking AF_UNIX SOCK_SEQPACKET sockets driven by libuv readiness (koffi's
 * poll handle): the fd channel's transport. Message boundaries are kept, fds ride
 * along as SCM_RIGHTS, and nothing ever blocks the event loop.
 *
 * Outgoing messages queue when the socket is full (the receive queue of a Unix
 * datagram socket is short: net.unix.max_dgram_qlen) and go out in order when it
 * drains. fds given with `transfer: true` belong to the queue until sent, then
 * are closed on this side; on close every queued fd is closed exactly once.
 */
import { EventEmitter } from 'node:events';
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { isSysError } from './sys-error.js';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_SEQPACKET } from './constants.js';
import { recvBatch, sendWithFds, ScmBuffers, SCM_MAX_FD, type Received } from './scm.js';
import { sockaddrUn } from './sockaddr.js';
import { watchFd, type FdWatch, type PollEvents } from './poll.js';
import { peerCred, type PeerCred } from './peercred.js';


interface Outgoing {
  data: Buffer;
  fds: OwnedFd[];
  transfer: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

const peerGone = (e: Error) => isSysError(e, 'EPIPE') || isSysError(e, 'ECONNRESET') || isSysError(e, 'ENOTCONN');

/** A send refused because the peer's queue is full; the connection is closed with it. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export interface SendOptions {
  /** Close the given fds on this side once sent (or once the connection dies). */
  transfer?: boolean;
}

export interface SeqpacketEvents {
  message: [Received];
  close: [];
  error: [Error];
}

/**
 * One set of scratch buffers for every connection in the process: sendmsg and
 * recvmsg run synchronously on the one JS thread and received data is copied
 * out, so sharing is safe, and 1000 sessions do not cost 1000 × 66 KB.
 */
let shared: ScmBuffers | undefined;
// 4 receive slots: a wake-up usually finds 1 datagram, and recvmmsg with room
// for more sees the queue empty in the same call (4 × 65 KB, once per process).
const sharedBuffers = () => (shared ??= new ScmBuffers(65536, SCM_MAX_FD, 4));

export class SeqpacketConnection extends EventEmitter<SeqpacketEvents> {
  readonly fd: OwnedFd;
  readonly peer: PeerCred;
  #poll: FdWatch | null;
  #queue: Outgoing[] = [];
  #buffers: ScmBuffers;
  #libc: RawLibc;
  #closed = false;
  #wantWrite = false;
  #queuedFds = 0;
  /**
   * What may wait for a peer that does not read. Past either bound the
   * connection is closed: a peer that never reads must not make us hold its
   * datagrams and fds without end.
   */
  limits: { messages: number; fds: number; stallMs?: number } = { messages: Infinity, fds: Infinity };
  /** Armed while the peer's receive buffer is full: a peer that reads nothing for stallMs is closed. */
  #stall: NodeJS.Timeout | undefined;

  constructor(fd: OwnedFd, buffers?: ScmBuffers) {
    super();
    this.fd = fd;
    this.#libc = fd.libc;
    this.#buffers = buffers ?? sharedBuffers();
    this.peer = peerCred(fd.fd, this.#libc);
    this.#poll = watchFd(fd.fd, { readable: true, disconnect: true }, (ev, status) => this.onPoll(ev, status));
  }

  /** Connect to a listening SEQPACKET socket. */
  static connect(path: string, libc: RawLibc = realLibc()): SeqpacketConnection {
    const n = check(libc, 'socket(AF_UNIX, SOCK_SEQPACKET)', libc.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const fd = new OwnedFd(n, `seqpacket client ${path}`, libc);
    try {
      const { addr, len } = sockaddrUn(path);
      check(libc, `connect(${path})`, libc.connect(n, addr, len));
      return new SeqpacketConnection(fd);
    } catch (e) {
      fd.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Keep the process alive only while there is something to do (like net sockets' unref). */
  unref(): void {
    this.#poll?.unref();
  }

  ref(): void {
    this.#poll?.ref();
  }

  /**
   * Send one message with optional fds. Resolves once the kernel has it. Fds are
   * numbers the caller keeps, or OwnedFds handed over with `transfer`.
   */
  send(data: Buffer, fds: OwnedFd[] = [], opts: SendOptions = {}): Promise<void> {
    const transfer = !!opts.transfer;
    if (this.#closed) {
      if (transfer) for (const f of fds) f.close();
      return Promise.reject(new Error('fd channel connection is closed'));
    }
    if (this.#queue.length + 1 > this.limits.messages || this.#queuedFds + fds.length > this.limits.fds) {
      if (transfer) for (const f of fds) f.close();
      const e = new QueueFullError(`the peer does not read: ${this.#queue.length} datagrams with ${this.#queuedFds} fds already wait (limit ${this.limits.messages} / ${this.limits.fds}); connection closed`);
      this.close();
      return Promise.reject(e);
    }
    // Nothing waits ahead of it: hand it to the kernel now, without a queue entry,
    // closures or a pending promise (the usual case; bench/fd-delivery).
    if (this.#queue.length === 0) {
      let r: boolean | Error;
      try {
        r = this.#attempt(data, fds, transfer);
      } catch (e) {
        return Promise.reject(e); // closing a sent fd failed: still a rejection, never a throw
      }
      if (r === true) return Promise.resolve();
      if (r !== false) {
        if (peerGone(r)) this.close();
        return Promise.reject(r);
      }
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ data, fds, transfer, resolve, reject });
      this.#queuedFds += fds.length;
      if (this.#queue.length === 1) {
        this.watchWritable(true);
        this.#armStall();
      }
    });
  }

  /**
   * One sendmsg: true once the kernel has it (transferred fds are then closed
   * here), false when the socket is full, or the Error it failed with (its
   * transferred fds closed).
   */
  #attempt(data: Buffer, fds: OwnedFd[], transfer: boolean): boolean | Error {
    try {
      const nums: number[] = [];
      for (const f of fds) nums.push(f.fd);
      if (!sendWithFds(this.#libc, this.fd.fd, data, nums, this.#buffers)) return false;
    } catch (e) {
      if (transfer) for (const f of fds) f.close();
      return e as Error;
    }
    if (transfer) for (const f of fds) f.close();
    return true;
  }

  private flush(): void {
    while (this.#queue.length && !this.#closed) {
      const m = this.#queue[0];
      const r = this.#attempt(m.data, m.fds, m.transfer);
      if (r === false) {
        this.watchWritable(true);
        this.#armStall();
        return;
      }
      clearTimeout(this.#stall);
      this.#stall = undefined;
      this.#queue.shift();
      this.#queuedFds -= m.fds.length;
      if (r === true) {
        m.resolve();
        continue;
      }
      m.reject(r);
      if (peerGone(r)) this.close();
    }
    this.watchWritable(false);
  }

  // With calls in flight bounded per API connection, a silent peer's queue may
  // never reach `messages`; time is then what tells a slow reader from a dead one.
  #armStall(): void {
    const ms = this.limits.stallMs;
    if (this.#stall || ms === undefined || !Number.isFinite(ms)) return;
    this.#stall = setTimeout(() => {
      this.close(new QueueFullError(`the peer has read nothing for ${ms / 1000} s with ${this.#queue.length} datagrams waiting; connection closed`));
    }, ms);
    this.#stall.unref();
  }

  private watchWritable(on: boolean): void {
    if (on === this.#wantWrite || !this.#poll) return;
    this.#wantWrite = on;
    this.#poll.update({ readable: true, writable: on, disconnect: true });
  }

  private onPoll(ev: PollEvents, status = 0): void {
    if (this.#closed) return;
    if (status < 0) {
      // libuv reports POLLERR (e.g. the peer went away with our sends queued) as
      // an error status and stops the handle: nothing more would ever arrive, so
      // read what is left (EOF or the error) and close. Ignoring it left the
      // connection wedged forever (seen in test/host/fuzz), and on the daemon's
      // side a wedged session would never release its leases.
      this.drain();
      this.close();
      return;
    }
    if (ev.writable) this.flush();
    if (ev.readable || ev.disconnect) this.drain();
  }

  private drain(): void {
    // Bounded so one busy peer cannot starve the loop; level-triggered polling calls again.
    for (let i = 0; i < 16 && !this.#closed; i++) {
      let batch: ReturnType<typeof recvBatch>;
      try {
        batch = recvBatch(this.#libc, this.fd.fd, this.#buffers);
      } catch (e) {
        if (isSysError(e, 'ECONNRESET')) {
          this.close();
          return;
        }
        this.emit('error', e as Error);
        continue;
      }
      if (batch === null) return;
      for (const r of batch) this.deliver(r);
      // A short batch means recvmmsg met an empty queue: no second call just to see EAGAIN.
      if (batch.length < this.#buffers.slots) return;
    }
  }

  private deliver(r: Received | 'eof' | Error): void {
    if (r === 'eof') {
      this.close();
      return;
    }
    if (r instanceof Error) {
      // A truncated datagram: its fds are already closed; tell the owner and go on.
      if (!this.#closed) this.emit('error', r);
      return;
    }
    // Closed by a handler earlier in the batch, or nobody listening: the fds are ours to close.
    if (this.#closed || this.listenerCount('message') === 0) {
      for (const f of r.fds) f.close();
      return;
    }
    this.emit('message', r);
  }

  /** Close once: stop polling, fail queued sends (closing their transferred fds), close the socket. */
  /** Close; what still waits to be sent is rejected with `reason`. */
  close(reason = new Error('fd channel connection closed before the message was sent')): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#stall);
    this.#poll?.close();
    this.#poll = null;
    const q = this.#queue;
    this.#queue = [];
    this.#queuedFds = 0;
    for (const m of q) {
      if (m.transfer) for (const f of m.fds) f.close();
      m.reject(reason);
    }
    this.fd.close();
    this.emit('close');
  }
}
