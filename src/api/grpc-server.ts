/**
 * The gRPC API on a Unix socket, with every call tied to the kernel credentials
 * of the connection it arrived on.
 *
 * grpc-js cannot say who is calling (getPeer() is "unknown" on a Unix socket), so
 * the daemon accepts connections on its own net.Server, reads SO_PEERCRED from
 * each, and injects the socket into grpc-js (createConnectionInjector). To find
 * the connection again from a handler we give each accepted socket a unique
 * `remoteAddress` ("vfio-peer:<n>"), which grpc-js reports as the call's peer:
 * http2 sessions expose the socket through a proxy that reads that property.
 */
import net from 'node:net';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { BrokerError, InternalError, InvalidArgumentError, SessionMismatchError, type StatusName } from '../broker/errors.js';
import type { Caller } from '../broker/types.js';
import { loadApi } from '../protocol/proto.js';
import { passEncoded } from './encoded.js';
import type { BrokerHandlers } from '../protocol/api-types.js';
import type { StatusResponse } from '../protocol/gen/vfiobroker/v1/StatusResponse.js';
import type { WatchRequest__Output } from '../protocol/gen/vfiobroker/v1/WatchRequest.js';
import type { Event } from '../protocol/gen/vfiobroker/v1/Event.js';
import type { BrokerService } from '../service/broker-service.js';
import { WatchStreams } from './watch-streams.js';
import { DEFAULT_LIMITS, type Limits } from '../broker/limits.js';
import { QuotaError } from '../broker/errors.js';
import type { HandlerKit } from './handlers/kit.js';
import { discovery } from './handlers/discovery.js';
import { leases } from './handlers/leases.js';
import { sharing } from './handlers/sharing.js';
import { admin } from './handlers/admin.js';
import { claims } from './handlers/claims.js';
import { groupType } from './handlers/group-type.js';
import { mdev } from './handlers/mdev.js';

export interface GrpcServerOptions {
  service: BrokerService;
  socketPath: string;
  /** Mode of the API socket (e.g. 0o660 with group vfio-broker). */
  socketMode?: number;
  socketGid?: number;
  /** The caller behind a new connection, taken once at accept and kept with it (never re-read per call). */
  identify: (socket: net.Socket) => Caller;
  /** Daemon-level status fields (version, policy file, restored leases). */
  statusExtra?: () => StatusResponse;
  limits?: Pick<Limits, 'connectionsPerUid' | 'streamsPerConnection' | 'watchesPerUid' | 'watchQueue'>;
  log?: { warn(o: object, msg: string): void; debug(o: object, msg: string): void };
}

const CODE: Record<StatusName, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  ABORTED: grpc.status.ABORTED,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  INTERNAL: grpc.status.INTERNAL,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
};

/**
 * Refusals echo client input (a lease id, a session id): bounded, so a huge value
 * cannot make the trailers too big to deliver (the call then hung until its deadline).
 */
const MAX_STATUS_MESSAGE = 1024;
const MAX_DETAIL_VALUE = 256;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}... (${s.length - n} more characters)` : s);

/** A BrokerError as a gRPC status, its details in trailing metadata (`vfio-<key>`). */
export function toStatus(e: unknown): Partial<grpc.StatusObject> {
  const err = e instanceof BrokerError ? e : new InternalError((e as Error)?.message ?? String(e));
  const metadata = new grpc.Metadata();
  metadata.set('vfio-error', err.name);
  for (const [k, v] of Object.entries(err.details)) {
    if (v === undefined) continue;
    metadata.set(`vfio-${k.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`, clip(String(v), MAX_DETAIL_VALUE).replace(/[^\x20-\x7e]/g, '?'));
  }
  return { code: CODE[err.status], details: clip(err.message, MAX_STATUS_MESSAGE), metadata };
}

const PEER_PREFIX = 'vfio-peer:';

/** Marks a request whose protobuf could not be decoded, so the handler can answer INVALID_ARGUMENT. */
const UNDECODABLE = Symbol('undecodable');
/** What tolerantDecoding hands a handler in place of the request it could not decode. */
type Undecodable = { [UNDECODABLE]: string };
const undecodable = (req: unknown): req is Undecodable => typeof req === 'object' && req !== null && UNDECODABLE in req;
/** INVALID_ARGUMENT for the marker (which the generated request types cannot express), else null. */
const malformed = (req: object) => (undecodable(req) ? new InvalidArgumentError(`malformed request: ${req[UNDECODABLE]}`) : null);

type WatchCall = grpc.ServerWritableStream<WatchRequest__Output, Event>;

export class GrpcApiServer {
  readonly server: grpc.Server;
  #net: net.Server;
  #peers = new Map<string, Caller>();
  #next = 0;
  #o: GrpcServerOptions;
  #injector: ReturnType<grpc.Server['createConnectionInjector']>;
  #watches: WatchStreams;
  /** Connections over their uid's limit: every call on them is answered RESOURCE_EXHAUSTED. */
  #over = new Set<string>();
  #sockets = new Set<net.Socket>();

  constructor(o: GrpcServerOptions) {
    this.#o = o;
    const { def, service } = loadApi();
    // Calls in flight per connection are bounded by HTTP/2 itself: without it one
    // connection's 70,000 concurrent calls held 680 MiB of the daemon's memory.
    // Channelz (grpc-js's introspection service, which nothing here serves) keeps
    // per-connection trace objects and counts every call: off.
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': 1 << 20, 'grpc.max_concurrent_streams': (o.limits ?? DEFAULT_LIMITS).streamsPerConnection, 'grpc.enable_channelz': 0,
    });
    this.server.addService(tolerantDecoding(service), this.handlers());
    new ReflectionService(def).addToServer(this.server);
    this.#injector = this.server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    this.#net = net.createServer((sock) => this.accept(sock));
    this.#watches = new WatchStreams(o.service, o.limits ?? DEFAULT_LIMITS, toStatus);
  }

  async listen(): Promise<void> {
    const p = this.#o.socketPath;
    try { fs.unlinkSync(p); } catch { /* not there */ }
    await new Promise<void>((resolve, reject) => {
      this.#net.once('error', reject);
      // A deep backlog: a burst of clients (a host starting many VMs) must queue, not get EAGAIN.
      this.#net.listen({ path: p, backlog: 4096 }, () => { this.#net.off('error', reject); resolve(); });
    });
    fs.chmodSync(p, this.#o.socketMode ?? 0o660);
    // Under the unit (Group=vfio-broker) the socket is born with its group: no chown, no CAP_CHOWN.
    if (this.#o.socketGid !== undefined && fs.statSync(p).gid !== this.#o.socketGid) fs.chownSync(p, 0, this.#o.socketGid);
  }

  get connections(): number {
    return this.#peers.size;
  }

  /** Stop accepting, give calls in flight a moment, then cut every connection. */
  async close(graceMs = 1000): Promise<void> {
    this.#watches.closeAll();
    const closed = new Promise<void>((r) => this.#net.close(() => r()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.server.forceShutdown(); resolve(); }, graceMs);
      this.server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    });
    this.#injector.destroy();
    for (const sock of this.#sockets) sock.destroy();
    await closed;
  }

  private accept(sock: net.Socket): void {
    let cred: Caller;
    try {
      cred = this.#o.identify(sock);
    } catch (e) {
      this.#o.log?.warn({ err: (e as Error).message }, 'API connection without readable credentials; dropped');
      sock.destroy();
      return;
    }
    const key = `${PEER_PREFIX}${++this.#next}`;
    Object.defineProperty(sock, 'remoteAddress', { value: key, configurable: true });
    const limit = (this.#o.limits ?? DEFAULT_LIMITS).connectionsPerUid;
    const mine = cred.uid === 0 ? 0 : [...this.#peers.values()].filter((c) => c.uid === cred.uid).length;
    if (mine >= limit) {
      // Answer its calls with the reason, then cut it: the fd it holds is what the limit protects.
      this.#over.add(key);
      setTimeout(() => sock.destroy(), 1000).unref();
    }
    this.#peers.set(key, cred);
    this.#sockets.add(sock);
    sock.once('close', () => {
      this.#peers.delete(key);
      this.#over.delete(key);
      this.#sockets.delete(sock);
    });
    this.#injector.injectConnection(sock);
  }

  private caller(call: { getPeer(): string }): Caller {
    const caller = this.#peers.get(call.getPeer());
    if (!caller) throw new SessionMismatchError('call did not arrive on an authenticated connection');
    if (this.#over.has(call.getPeer())) throw new QuotaError(`uid ${caller.uid} has too many API connections open (limit connectionsPerUid)`, { limit: 'connectionsPerUid' });
    return caller;
  }

  /** A unary handler; Req and Res come from the slot in BrokerHandlers it fills. */
  private unary<Req extends object, Res>(fn: (caller: Caller, req: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
    return (call, cb) => {
      (async () => {
        const bad = malformed(call.request);
        if (bad) throw bad;
        return fn(this.caller(call), call.request);
      })().then(
        (res) => cb(null, res),
        (e) => cb(toStatus(e) as grpc.ServiceError),
      );
    };
  }

  private handlers(): BrokerHandlers {
    const kit: HandlerKit = { service: this.#o.service, unary: (fn) => this.unary(fn) };
    const handlers: BrokerHandlers = {
      ...discovery(kit),
      ...leases(kit),
      ...sharing(kit),
      ...admin(kit, this.#o.statusExtra),
      ...claims(kit),
      ...groupType(kit),
      ...mdev(kit),
      Watch: (call: WatchCall) => {
        // Discovery is open to every authenticated connection; this only checks there is one.
        try {
          const bad = malformed(call.request);
          if (bad) throw bad;
          this.#watches.open(call, this.caller(call));
        } catch (e) {
          call.emit('error', toStatus(e));
        }
      },
    };
    return handlers;
  }
}

/**
 * grpc-js answers an undecodable request with INTERNAL. Malformed input is the
 * client's fault, so decode failures are carried into the handler and answered
 * with INVALID_ARGUMENT instead.
 */
function tolerantDecoding(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(service)) {
    out[name] = {
      // ListGroups and Watch answer with bytes encoded ahead (encoded.ts).
      ...(name === 'ListGroups' || name === 'Watch' ? passEncoded(m) : m),
      requestDeserialize: (buf: Buffer) => {
        try {
          return m.requestDeserialize(buf);
        } catch (e) {
          return { [UNDECODABLE]: (e as Error).message };
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

