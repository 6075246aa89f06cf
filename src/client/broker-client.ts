/**
 * The library launchers use: connect to vfio-brokerd, open an fd session, and
 * acquire leases whose fds arrive as OwnedFd objects. Every fd the library hands
 * out is closed by `close()` unless the caller released it (e.g. to a child).
 *
 *   const c = await BrokerClient.connect();
 *   const lease = await c.acquire({ groups: [7] });
 *   lease.devices.get('0000:00:03.0')!.fd  // a VFIO device fd, usable directly
 *   await c.release(lease); c.close();
 */
import { EventEmitter } from 'node:events';
import { SeqpacketConnection } from '../kernel/seqpacket.js';
import type { OwnedFd } from '../kernel/owned-fd.js';
import { randomBytes } from 'node:crypto';
import { decodeDaemon, type DaemonMessage, type DeliveredLease } from '../protocol/fd-protocol.js';
import { Arrivals } from './arrivals.js';
import { ApiClient, DEFAULT_FD_SOCKET } from './api-client.js';
import { MODE_WIRE, type Mode } from '../protocol/mode.js';
import type { AcquireOptions, BrokerClientEvents, ConnectOptions, DeliveredFds, LeaseHandle } from './client-types.js';

export type { Mode };
export type { AcquireOptions, BrokerClientEvents, ConnectOptions, DeliveredFds, LeaseHandle } from './client-types.js';

/** gRPC statuses that are the transport's, not the daemon's answer: CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE. */
const TRANSPORT_CODES = new Set([1, 4, 14]);

interface ChannelOptions {
  fdPath: string;
  timeoutMs: number;
  reconnectMs: number;
}

/** Open the fd channel and read the daemon's hello (session id and secret). */
async function openChannel(fdPath: string, timeoutMs: number): Promise<{ conn: SeqpacketConnection; session: { id: string; secret: string } }> {
  const conn = SeqpacketConnection.connect(fdPath);
  const hello = await new Promise<DaemonMessage>((resolve, reject) => {
    // Reject before closing: the close handler would otherwise report a timeout as the daemon closing.
    const timer = setTimeout(() => { reject(new Error(`no hello from vfio-brokerd on ${fdPath} within ${timeoutMs} ms`)); conn.close(); }, timeoutMs);
    conn.once('message', (m) => {
      clearTimeout(timer);
      try {
        resolve(decodeDaemon(m.data, m.fds.length));
      } catch (e) {
        for (const f of m.fds) f.close();
        conn.close();
        reject(e);
      }
    });
    conn.once('close', () => { clearTimeout(timer); reject(new Error('vfio-brokerd closed the fd channel')); });
  });
  if (hello.type !== 'hello') {
    conn.close();
    throw new Error(`unexpected first message ${hello.type} on the fd channel`);
  }
  return { conn, session: { id: hello.session, secret: hello.secret } };
}

export class BrokerClient extends EventEmitter<BrokerClientEvents> {
  readonly api: ApiClient;
  #conn: SeqpacketConnection;
  #session: { id: string; secret: string };
  #arrivals = new Arrivals((f) => this.closeFd(f));
  #owned = new Set<OwnedFd>();
  #sweep: NodeJS.Timeout;
  /** Leases this client holds, with their secrets: what a reconnect re-attaches. */
  #leases = new Map<string, string>();
  #closing = false;
  #opts: ChannelOptions;

  private constructor(api: ApiClient, ch: { conn: SeqpacketConnection; session: { id: string; secret: string } }, opts: ChannelOptions) {
    super();
    this.api = api;
    this.#opts = opts;
    this.#conn = ch.conn;
    this.#session = ch.session;
    this.attach(ch.conn);
    // Deliveries nobody claims (a reply that never came) must not pin fds forever.
    this.#sweep = setInterval(() => this.#arrivals.sweep(), 10_000).unref();
  }

  get conn(): SeqpacketConnection {
    return this.#conn;
  }

  get session(): { id: string; secret: string } {
    return this.#session;
  }

  private attach(conn: SeqpacketConnection): void {
    conn.on('message', (m) => this.onMessage(m.data, m.fds));
    conn.on('close', () => {
      if (conn !== this.#conn) return;
      if (this.#closing || this.#opts.reconnectMs <= 0 || this.#leases.size === 0) {
        this.emit('closed');
        return;
      }
      this.emit('disconnected');
      void this.reconnect();
    });
    conn.on('error', (e) => this.emit('warning', e));
  }

  /** Keep trying to reach the daemon again, then re-attach every held lease. */
  private async reconnect(): Promise<void> {
    const deadline = Date.now() + this.#opts.reconnectMs;
    let delay = 100;
    while (!this.#closing) {
      try {
        const ch = await openChannel(this.#opts.fdPath, this.#opts.timeoutMs);
        if (this.#closing) { ch.conn.close(); return; }
        this.#conn = ch.conn;
        this.#session = ch.session;
        this.attach(ch.conn);
        const back: string[] = [];
        for (const [leaseId, secret] of this.#leases) {
          try {
            back.push(...await this.reattach([leaseId], secret));
          } catch (e) {
            // Released while we were away (owner considered gone, or revoked).
            this.#leases.delete(leaseId);
            this.emit('lease-lost', { lease: leaseId, reason: (e as Error).message });
          }
        }
        this.emit('reconnected', { session: ch.session.id, leases: back });
        return;
      } catch (e) {
        if (Date.now() + delay > deadline) {
          this.emit('warning', new Error(`vfio-brokerd did not come back within ${this.#opts.reconnectMs} ms: ${(e as Error).message}`));
          this.emit('closed');
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  static async connect(opts: ConnectOptions = {}): Promise<BrokerClient> {
    const fdPath = opts.fdSocket ?? process.env.VFIO_BROKER_FD ?? DEFAULT_FD_SOCKET;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const ch = await openChannel(fdPath, timeoutMs);
    return new BrokerClient(new ApiClient(opts.apiSocket), ch, { fdPath, timeoutMs, reconnectMs: opts.reconnectMs ?? 120_000 });
  }

  private onMessage(data: Buffer, fds: OwnedFd[]): void {
    let m: DaemonMessage;
    try {
      m = decodeDaemon(data, fds.length);
    } catch (e) {
      for (const f of fds) f.close();
      this.emit('warning', e as Error);
      return;
    }
    if (m.type === 'fds') {
      for (const f of fds) this.#owned.add(f);
      this.#arrivals.add(m, fds);
    } else if (m.type === 'error') {
      // Not 'error': an EventEmitter with no listener for that would throw.
      this.emit('warning', new Error(m.message));
    } else {
      // Spelled out so each event carries its own message type.
      switch (m.type) {
        case 'revoke': this.emit('revoke', m); break;
        case 'lease-ended': this.emit('lease-ended', m); break;
        case 'device-event': this.emit('device-event', m); break;
        case 'hello': this.emit('hello', m); break;
        case 'pong': this.emit('pong', m); break;
        default: m satisfies never;
      }
    }
  }

  private sess() {
    return { id: this.session.id, secret: this.session.secret };
  }

  async acquire(o: AcquireOptions): Promise<LeaseHandle> {
    return this.leaseCall((tag) => this.api.call('Acquire', {
      session: this.sess(), groups: o.groups ?? [], devices: o.devices ?? [], mode: MODE_WIRE[o.mode ?? 'legacy'],
      only_requested_devices: !!o.onlyRequested, managed: !!o.managed, mdev_type: o.mdevType ?? '', mdev_parent: o.mdevParent ?? '', request_tag: tag,
    }), (res) => ({
      id: res.lease_id, secret: res.lease_secret, groups: res.groups, mode: o.mode ?? 'legacy', memlock_bytes: Number(res.memlock_bytes),
      ...(res.mdev_uuid ? { mdev_uuid: res.mdev_uuid } : {}),
    }));
  }

  /**
   * A call that delivers a lease's fds (Acquire, RedeemClaim). The daemon sends
   * them, with the lease, on the fd channel before it replies: the call is done
   * when they are in hand, whichever comes first. A daemon that does not echo the
   * tag is waited for as before (reply, then fds). A reply that fails after the
   * fds came means the lease ended meanwhile: 'lease-lost'.
   */
  private async leaseCall<R extends { request_id: string }>(call: (tag: string) => Promise<R>, fromReply: (res: R) => DeliveredLease): Promise<LeaseHandle> {
    const tag = randomBytes(8).toString('hex');
    const early = this.#arrivals.tagged(tag);
    const reply = call(tag);
    let first: { fds: { request: string; lease?: DeliveredLease } } | { reply: R };
    try {
      first = await Promise.race([early.promise.then((fds) => ({ fds })), reply.then((r) => ({ reply: r }))]);
    } finally {
      early.cancel();
    }
    const tagged = 'fds' in first && first.fds.lease ? first.fds : undefined;
    const res = tagged ? undefined : 'reply' in first ? first.reply : await reply;
    const lease = tagged?.lease ?? fromReply(res!);
    this.#leases.set(lease.id, lease.secret);
    if (tagged) {
      reply.catch((e: Error & { code?: number }) => {
        // Only the daemon's own answer says the lease ended; a dropped connection
        // (the daemon restarting) leaves it to the reconnect, which re-attaches it.
        if (e.code !== undefined && TRANSPORT_CODES.has(e.code)) return;
        if (this.#leases.delete(lease.id)) this.emit('lease-lost', { lease: lease.id, reason: e.message });
      });
    }
    const fds = await this.#arrivals.take(tagged?.request ?? res!.request_id);
    return { ...fds, id: lease.id, secret: lease.secret, groupIds: lease.groups, mode: lease.mode, memlockBytes: lease.memlock_bytes, ...(lease.mdev_uuid ? { mdevUuid: lease.mdev_uuid } : {}) };
  }

  /**
   * Redeem a claim (made by an admin, e.g. the Kubernetes device plugin) with its
   * token: the claim's groups become a lease of this session, as with acquire.
   */
  async redeemClaim(claimId: string, token: string): Promise<LeaseHandle> {
    return this.leaseCall((tag) => this.api.call('RedeemClaim', { session: this.sess(), claim_id: claimId, token, request_tag: tag }), (res) => ({
      id: res.lease_id, secret: res.lease_secret, groups: res.groups, memlock_bytes: Number(res.memlock_bytes),
      mode: res.deliveries.some((d) => d.role === 'iommufd') ? 'iommufd' : 'legacy',
    }));
  }

  async release(lease: LeaseHandle | string, opts: { closeFds?: boolean } = {}): Promise<void> {
    const id = typeof lease === 'string' ? lease : lease.id;
    await this.api.call('Release', { session: this.sess(), lease_id: id });
    this.#leases.delete(id);
    if (typeof lease !== 'string' && opts.closeFds !== false) for (const f of lease.all) this.closeFd(f);
  }

  async openDevice(lease: LeaseHandle | string, device: string): Promise<OwnedFd> {
    const res = await this.api.call('OpenDevice', { session: this.sess(), lease_id: typeof lease === 'string' ? lease : lease.id, device });
    const fds = await this.#arrivals.take(res.request_id);
    return fds.devices.get(device)!;
  }

  /** A grant for another process (a uid, or with only `pid` that one process); returns its token. */
  async share(lease: LeaseHandle | string, o: { uid?: number; pid?: number; devices?: string[]; includeContainer?: boolean; ttlSeconds?: number; singleUse?: boolean }): Promise<string> {
    const res = await this.api.call('Share', {
      session: this.sess(), lease_id: typeof lease === 'string' ? lease : lease.id, devices: o.devices ?? [],
      ...(o.uid !== undefined ? { uid: o.uid } : {}), ...(o.pid !== undefined ? { pid: o.pid } : {}),
      include_container: !!o.includeContainer, any_uid: o.uid === undefined, ttl_seconds: o.ttlSeconds ?? 0, single_use: !!o.singleUse,
    });
    return res.grant;
  }

  async redeem(grant: string): Promise<DeliveredFds & { leaseId: string }> {
    const res = await this.api.call('Redeem', { session: this.sess(), grant });
    return { ...(await this.#arrivals.take(res.request_id)), leaseId: res.lease_id };
  }

  async reattach(leaseIds: string[], leaseSecret: string): Promise<string[]> {
    const res = await this.api.call('Reattach', { session: this.sess(), lease_ids: leaseIds, lease_secret: leaseSecret });
    return res.lease_ids;
  }

  /** Forget an fd without closing it (it was handed to a child, say). */
  disown(fd: OwnedFd): number {
    this.#owned.delete(fd);
    return fd.release();
  }

  private closeFd(f: OwnedFd): void {
    this.#owned.delete(f);
    f.close();
  }

  /** Close every fd the library still owns, the fd session (which ends its leases) and the API channel. */
  close(): void {
    this.#closing = true;
    clearInterval(this.#sweep);
    for (const f of [...this.#owned]) this.closeFd(f);
    this.conn.close();
    this.api.close();
  }
}
