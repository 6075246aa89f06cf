/**
 * The fd channel's datagram format, shared by the daemon and the client library.
 * Each SOCK_SEQPACKET datagram is one small JSON object; fds ride along in
 * SCM_RIGHTS, in the order the header lists them. Deliveries larger than one
 * datagram can carry are split into parts that share a request id.
 */
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

export type DaemonMessage =
  | { type: 'hello'; version: number; session: string; secret: string; pid: number; uid: number; gid: number }
  | { type: 'fds'; request: string; part: number; last: boolean; fds: FdDescriptor[] }
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
export function deliveryParts<T>(request: string, items: (FdDescriptor & { fd: T })[]): { header: DaemonMessage; fds: T[] }[] {
  const parts: { header: DaemonMessage; fds: T[] }[] = [];
  for (let i = 0, part = 0; i < items.length || part === 0; i += MAX_FDS_PER_DATAGRAM, part++) {
    const chunk = items.slice(i, i + MAX_FDS_PER_DATAGRAM);
    parts.push({
      header: {
        type: 'fds', request, part, last: i + MAX_FDS_PER_DATAGRAM >= items.length,
        fds: chunk.map(({ role, group, device }) => ({ role, ...(group !== undefined ? { group } : {}), ...(device !== undefined ? { device } : {}) })),
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
  } else if (fdCount > 0) {
    throw new Error(`fd channel: ${fdCount} unexpected fds with a ${m.type} message`);
  }
  return parsed as DaemonMessage;
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
