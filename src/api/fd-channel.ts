/**
 * The fd channel: the SOCK_SEQPACKET socket next to the gRPC socket that carries
 * the fds gRPC cannot. Each connection is a session, authenticated by
 * SO_PEERCRED at accept; the session id and secret go back in the first
 * datagram. When the socket closes, the session ends and the service releases
 * everything it owned. Anything a client sends is ignored except "ping", and fds
 * a client sends are closed at once.
 */
import type { SeqpacketConnection } from '../kernel/seqpacket.js';
import { SeqpacketServer } from '../kernel/seqpacket-server.js';
import { AbortedError } from '../broker/errors.js';
import type { Caller } from '../broker/types.js';
import { DEFAULT_LIMITS, type Limits } from '../broker/limits.js';
import type { BrokerService, DeliveryItem } from '../service/broker-service.js';
import { PROTOCOL_VERSION, decodeClient, deliveryParts, encode, type DeliveryExtra } from '../protocol/fd-protocol.js';

export interface FdChannelOptions {
  path: string;
  mode?: number;
  gid?: number;
  service: BrokerService;
  /** The caller behind a new connection's fd, taken once at accept. */
  identify: (fd: number) => Caller;
  onDelivered?: (items: DeliveryItem[], seconds: number) => void;
  limits?: Pick<Limits, 'sessionsPerUid' | 'sessionSendQueue' | 'sessionQueuedFds' | 'sessionStallSeconds'>;
  log?: { warn(o: object, msg: string): void; info(o: object, msg: string): void; debug(o: object, msg: string): void };
}

export class FdChannel {
  #server: SeqpacketServer;
  #conns = new Map<string, SeqpacketConnection>();
  #o: FdChannelOptions;

  constructor(o: FdChannelOptions) {
    this.#o = o;
    this.#server = new SeqpacketServer(o.path);
    this.#server.on('connection', (c) => this.accept(c));
    this.#server.on('error', (e) => o.log?.warn({ err: e.message }, 'fd channel accept failed'));
  }

  listen(): void {
    this.#server.listen({ mode: this.#o.mode ?? 0o660, gid: this.#o.gid });
  }

  get size(): number {
    return this.#conns.size;
  }

  private accept(conn: SeqpacketConnection): void {
    const caller = this.#o.identify(conn.fd.fd);
    const limits = this.#o.limits ?? DEFAULT_LIMITS;
    const mine = caller.uid === 0 ? 0 : this.#o.service.sessions.all().filter((x) => x.cred.uid === caller.uid).length;
    if (mine >= limits.sessionsPerUid) {
      // Told why, then dropped: the fd it holds in the daemon is what the limit protects.
      this.#o.log?.warn({ uid: caller.uid, sessions: mine }, 'fd session refused: limit sessionsPerUid');
      void conn.send(encode({ type: 'error', message: `RESOURCE_EXHAUSTED: uid ${caller.uid} already has ${mine} sessions (limit sessionsPerUid)` })).finally(() => conn.close());
      return;
    }
    conn.limits = { messages: limits.sessionSendQueue, fds: limits.sessionQueuedFds, stallMs: limits.sessionStallSeconds * 1000 };
    const s = this.#o.service.openSession(caller);
    this.#conns.set(s.id, conn);
    this.#o.log?.debug({ session: s.id, pid: conn.peer.pid, uid: conn.peer.uid }, 'fd session opened');
    conn.on('message', (m) => {
      // fds from a client are never expected: close them before anything else.
      for (const f of m.fds) f.close();
      const msg = decodeClient(m.data);
      let reply: Buffer;
      if (msg?.type === 'ping' && !m.fds.length) reply = encode({ type: 'pong' });
      else if (m.fds.length) reply = encode({ type: 'error', message: `fd channel: ${m.fds.length} fd(s) sent to the daemon were closed unused (clients send no fds)` });
      else reply = encode({ type: 'error', message: `fd channel: unrecognised datagram of ${m.data.length} bytes ignored (clients send only {"type":"ping"}; requests go over gRPC)` });
      void conn.send(reply).catch(() => {});
    });
    conn.on('error', (e) => {
      this.#o.log?.warn({ session: s.id, err: e.message }, 'fd channel receive error');
      // A datagram too big to receive (its fds already closed) gets an answer like any other garbage.
      void conn.send(encode({ type: 'error', message: `fd channel: datagram dropped: ${e.message}` })).catch(() => {});
    });
    conn.on('close', () => {
      this.#conns.delete(s.id);
      this.#o.log?.debug({ session: s.id }, 'fd session closed');
      this.#o.service.closeSession(s.id);
    });
    void conn.send(encode({ type: 'hello', version: PROTOCOL_VERSION, session: s.id, secret: s.secret, pid: conn.peer.pid, uid: conn.peer.uid, gid: conn.peer.gid }))
      .catch(() => conn.close());
  }

  /** Send a delivery; the daemon's copies of non-kept fds are closed whatever happens. */
  async deliver(sessionId: string, requestId: string, items: DeliveryItem[], extra: DeliveryExtra = {}): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const conn = this.#conns.get(sessionId);
      if (!conn || conn.closed) throw new AbortedError(`session ${sessionId} closed before its fds could be delivered`, { session: sessionId });
      for (const part of deliveryParts(requestId, items.map((it) => ({ role: it.role, group: it.group, device: it.device, fd: it.fd })), extra)) {
        await conn.send(encode(part.header), part.fds);
      }
      this.#o.onDelivered?.(items, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      throw new AbortedError(`fd delivery to session ${sessionId} failed: ${(e as Error).message}`, { session: sessionId });
    } finally {
      for (const it of items) if (!it.keep) it.fd.close();
    }
  }

  notify(sessionId: string, message: Record<string, unknown>): void {
    const conn = this.#conns.get(sessionId);
    if (conn && !conn.closed) void conn.send(Buffer.from(JSON.stringify(message))).catch(() => {});
  }

  close(): void {
    this.#server.close();
    for (const c of [...this.#conns.values()]) c.close();
  }
}
