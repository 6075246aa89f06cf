/**
 * The fd channel's datagram format, shared by the daemon and the client library.
 * Each SOCK_SEQPACKET datagram is one small JSON object; fds ride along in
 * SCM_RIGHTS, in the order the header lists them. Deliveries larger than one
 * datagram can carry are split into parts that share a request id.
 */
import type { Mode } from './mode.js';

/** What a delivered fd is. */
export type FdRole = 'container' | 'group' | 'device' | 'iommufd' | 'cdev';

export const PROTOCOL_VERSION = 1;
/** Below SCM_MAX_FD (253), leaving room so a datagram never hits the limit. */
export const MAX_FDS_PER_DATAGRAM = 240;
export const MAX_DATAGRAM = 64 * 1024;

export interface FdDescriptor {
  role: FdRole;
  group?: number;
  device?: string;
}

/**
 * The lease an Acquire or RedeemClaim delivery belongs to, in the last part of a
 * tagged delivery: what its gRPC reply also says, so that the client can go on
 * as soon as the fds are in hand instead of waiting for the reply as well.
 */
export interface DeliveredLease {
  id: string;
  secret: string;
  groups: number[];
  mode: Mode;
  memlock_bytes: number;
  mdev_uuid?: string;
}

/** What a delivery's header may carry besides its fds: the client's tag, and the lease (last part). */
export interface DeliveryExtra {
  tag?: string;
  lease?: DeliveredLease;
}

export type DaemonMessage =
  | { type: 'hello'; version: number; session: string; secret: string; pid: number; uid: number; gid: number }
  | { type: 'fds'; request: string; part: number; last: boolean; fds: FdDescriptor[]; tag?: string; lease?: DeliveredLease }
  | { type: 'revoke'; lease: string; deadline_ms: number }
  | { type: 'lease-ended'; lease: string; reason: string }
  | { type: 'device-event'; lease: string; kind: string; device: string }
  | { type: 'pong' }
  | { type: 'error'; message: string };

export type ClientMessage = { type: 'ping' };

const ROLES = new Set<FdRole>(['container', 'group', 'device', 'iommufd', 'cdev']);

export function encode(m: DaemonMessage | ClientMessage): Buffer {
  return Buffer.from(JSON.stringify(m));
}

/** Split a delivery into datagrams of at most MAX_FDS_PER_DATAGRAM fds each. */
export function deliveryParts<T>(request: string, items: (FdDescriptor & { fd: T })[], extra: DeliveryExtra = {}): { header: DaemonMessage; fds: T[] }[] {
  const parts: { header: DaemonMessage; fds: T[] }[] = [];
  for (let i = 0, part = 0; i < items.length || part === 0; i += MAX_FDS_PER_DATAGRAM, part++) {
    const chunk = items.slice(i, i + MAX_FDS_PER_DATAGRAM);
    const last = i + MAX_FDS_PER_DATAGRAM >= items.length;
    parts.push({
      header: {
        type: 'fds', request, part, last,
        fds: chunk.map(({ role, group, device }) => ({ role, ...(group !== undefined ? { group } : {}), ...(device !== undefined ? { device } : {}) })),
        ...(extra.tag !== undefined ? { tag: extra.tag } : {}),
        ...(last && extra.lease ? { lease: extra.lease } : {}),
      },
      fds: chunk.map((c) => c.fd),
    });
  }
  return parts;
}

/** Parse a daemon datagram on the client side; anything unexpected is an Error. */
export function decodeDaemon(buf: Buffer, fdCount: number): DaemonMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new Error('fd channel: datagram is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('fd channel: datagram without a type');
  const m = parsed as { type?: unknown; request?: unknown; fds?: unknown };
  if (typeof m.type !== 'string') throw new Error('fd channel: datagram without a type');
  if (m.type === 'fds') {
    if (typeof m.request !== 'string' || !Array.isArray(m.fds) || m.fds.length !== fdCount) {
      throw new Error(`fd channel: header lists ${Array.isArray(m.fds) ? m.fds.length : '?'} fds but ${fdCount} arrived`);
    }
    for (const d of m.fds as { role?: FdRole }[]) if (!ROLES.has(d?.role as FdRole)) throw new Error(`fd channel: unknown fd role ${JSON.stringify(d?.role)}`);
    const x = parsed as { tag?: unknown; lease?: unknown };
    if (x.tag !== undefined && typeof x.tag !== 'string') throw new Error('fd channel: a delivery tag that is not a string');
    if (x.lease !== undefined && !isDeliveredLease(x.lease)) throw new Error('fd channel: a malformed lease in a delivery header');
  } else if (fdCount > 0) {
    throw new Error(`fd channel: ${fdCount} unexpected fds with a ${m.type} message`);
  }
  return parsed as DaemonMessage;
}

function isDeliveredLease(v: unknown): v is DeliveredLease {
  const l = v as Partial<DeliveredLease> | null;
  return typeof l === 'object' && l !== null && typeof l.id === 'string' && typeof l.secret === 'string' && Array.isArray(l.groups)
    && (l.mode === 'legacy' || l.mode === 'iommufd') && typeof l.memlock_bytes === 'number';
}

/** Parse a client datagram on the daemon side; null for anything the daemon does not understand. */
export function decodeClient(buf: Buffer): ClientMessage | null {
  if (buf.length > 4096) return null;
  try {
    const m = JSON.parse(buf.toString('utf8'));
    return m && m.type === 'ping' ? { type: 'ping' } : null;
  } catch {
    return null;
  }
}
