/**
 * A promise-based gRPC client for the v1 API over the daemon's Unix socket. Used
 * by the launcher library, vfio-broker-exec and vfio-brokerctl.
 */
import * as grpc from '@grpc/grpc-js';
import { loadApi } from '../protocol/proto.js';
import type { BrokerDefinition, RequestOf, ResponseOf, UnaryMethod, WireEvent } from '../protocol/api-types.js';
import type { BrokerClient as RawClient } from '../protocol/gen/vfiobroker/v1/Broker.js';
import { MODE_WIRE, type Mode } from '../protocol/mode.js';

export const DEFAULT_API_SOCKET = '/run/vfio-broker/api.sock';
export const DEFAULT_FD_SOCKET = '/run/vfio-broker/fd.sock';

/** A refusal from the daemon, with its gRPC code name and the `vfio-*` trailing details. */
export class BrokerCallError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly details: Record<string, string>;
  /** True when the daemon could not be reached at all (vs. a refusal it sent). */
  readonly unreachable: boolean;

  constructor(e: grpc.ServiceError) {
    const codeName = grpc.status[e.code] ?? String(e.code);
    super(e.details || e.message);
    this.name = 'BrokerCallError';
    this.code = e.code;
    this.codeName = codeName;
    const details: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.metadata?.getMap() ?? {})) if (k.startsWith('vfio-')) details[k.slice(5)] = String(v);
    this.details = details;
    this.unreachable = e.code === grpc.status.UNAVAILABLE && !details.error;
  }
}

export class ApiClient {
  readonly raw: RawClient;
  readonly socketPath: string;
  #service: BrokerDefinition;

  /** `window`: the HTTP/2 flow-control window (default 4 MiB; HTTP/2's own is 64 KiB). */
  constructor(socketPath = process.env.VFIO_BROKER_API ?? DEFAULT_API_SOCKET, opts: { window?: number } = {}) {
    const { Client, service } = loadApi();
    this.socketPath = socketPath;
    this.#service = service;
    this.raw = new Client(`unix:${socketPath}`, grpc.credentials.createInsecure(), {
      // One connection attempt, then report: an operator wants "daemon unreachable", not a hang.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Our own connection, closed with this client rather than kept in grpc-js's
      // process-wide pool.
      'grpc.use_local_subchannel_pool': 1,
      // A whole large host's ListGroups (about 1 MB at 4096 groups) in one window,
      // not 16 round trips of HTTP/2's default 64 KiB.
      'grpc-node.flow_control_window': opts.window ?? 4 << 20,
      'grpc.max_receive_message_length': 64 << 20,
    });
  }

  #inFlight = new Set<grpc.ClientUnaryCall>();

  // Every proto3 request is all-optional, so {} is a valid request of any method.
  call<M extends UnaryMethod>(method: M, req: RequestOf<M> = {} as RequestOf<M>, deadlineMs = 30_000): Promise<ResponseOf<M>> {
    return new Promise((resolve, reject) => {
      // The generated client's per-method overloads cannot be called through a generic
      // name; its definition (path and codecs) can, typed here by RequestOf / ResponseOf.
      // Looked up in here so that a bad name rejects rather than throws.
      const def = this.#service[method] as unknown as MethodCodec<RequestOf<M>, ResponseOf<M>>;
      const deadline = new Date(Date.now() + deadlineMs);
      const c = this.raw.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, { deadline }, (err, res) => {
        this.#inFlight.delete(c);
        if (err) reject(new BrokerCallError(err));
        else resolve(res!);
      });
      this.#inFlight.add(c);
    });
  }

  /**
   * Groups matching the filters (all of them by default). With a page size, asks
   * page by page and concatenates: each answer stays small on a large host.
   */
  listGroups = async (filter: Omit<RequestOf<'ListGroups'>, 'page_token'> = {}) => {
    const out: ResponseOf<'ListGroups'>['groups'] = [];
    let page_token = '';
    do {
      const r = await this.call('ListGroups', { ...filter, page_token });
      out.push(...r.groups);
      page_token = r.next_page_token;
    } while (page_token);
    return out;
  };
  getGroup = (id: number) => this.call('GetGroup', { id });
  listLeases = () => this.call('ListLeases').then((r) => r.leases);
  status = () => this.call('Status');
  holders = (group: number) => this.call('Holders', { group });
  revoke = (leaseId: string, deadlineMs: number) => this.call('Revoke', { lease_id: leaseId, deadline_ms: deadlineMs }, deadlineMs + 30_000);
  bind = (group: number) => this.call('Bind', { group }, 60_000);
  unbind = (group: number) => this.call('Unbind', { group }, 60_000);
  createClaim = (o: { groups?: number[]; devices?: string[]; mode?: Mode; ownerRef?: string; ttlSeconds?: number }) =>
    this.call('CreateClaim', { groups: o.groups ?? [], devices: o.devices ?? [], mode: MODE_WIRE[o.mode ?? 'legacy'], owner_ref: o.ownerRef ?? '', ttl_seconds: o.ttlSeconds ?? 0 });
  listClaims = () => this.call('ListClaims').then((r) => r.claims);
  endClaim = (claimId: string, reason = '') => this.call('EndClaim', { claim_id: claimId, reason }).then((r) => r.claim);
  setGroupType = (group: number, type: string, restore = false) => this.call('SetGroupType', { group, type, restore }, 60_000);
  listMdevTypes = () => this.call('ListMdevTypes');
  createMdev = (type: string, parent = '', uuid = '') => this.call('CreateMdev', { type, parent, uuid }, 60_000);
  removeMdev = (uuid: string) => this.call('RemoveMdev', { uuid }, 60_000);

  /** Server stream of events; returns the call so the caller can cancel it. */
  watch(onEvent: (e: WireEvent) => void, onEnd: (err?: BrokerCallError) => void, includeCurrent = false): grpc.ClientReadableStream<WireEvent> {
    const stream = this.raw.Watch({ include_current: includeCurrent });
    stream.on('data', onEvent);
    stream.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) onEnd(new BrokerCallError(e));
    });
    stream.on('end', () => onEnd());
    return stream;
  }

  /** Close the channel; calls still in flight are cancelled so their connection can go too. */
  close(): void {
    for (const c of this.#inFlight) c.cancel();
    this.#inFlight.clear();
    this.raw.close();
  }
}

interface MethodCodec<Req, Res> {
  path: string;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
}
