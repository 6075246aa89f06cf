/** The public shapes of the launcher library (src/client/broker-client.ts). */
import type { OwnedFd } from '../kernel/owned-fd.js';
import type { DaemonMessage } from '../protocol/fd-protocol.js';
import type { Mode } from '../protocol/mode.js';

export interface DeliveredFds {
  requestId: string;
  container?: OwnedFd;
  groups: Map<number, OwnedFd>;
  devices: Map<string, OwnedFd>;
  iommufd?: OwnedFd;
  cdevs: Map<string, OwnedFd>;
  all: OwnedFd[];
}

export interface LeaseHandle extends DeliveredFds {
  id: string;
  secret: string;
  groupIds: number[];
  mode: Mode;
  memlockBytes: number;
  /** The mdev created for this lease (Acquire of an mdev type); removed when it ends. */
  mdevUuid?: string;
}

export interface AcquireOptions {
  groups?: number[];
  devices?: string[];
  mode?: Mode;
  onlyRequested?: boolean;
  managed?: boolean;
  /** Acquire a new instance of this mdev type instead of groups or devices. */
  mdevType?: string;
  mdevParent?: string;
}

type Notice<T extends DaemonMessage['type']> = Extract<DaemonMessage, { type: T }>;

/** What a BrokerClient emits: the daemon's fd-channel notices as sent, and its own connection events. */
export interface BrokerClientEvents {
  /** The daemon wants the lease back within deadline_ms (an admin's Revoke). */
  revoke: [Notice<'revoke'>];
  'lease-ended': [Notice<'lease-ended'>];
  'device-event': [Notice<'device-event'>];
  hello: [Notice<'hello'>];
  pong: [Notice<'pong'>];
  warning: [Error];
  /** The fd session is over for good (closed, or the daemon did not come back). */
  closed: [];
  /** The daemon went away; a reconnect is under way. */
  disconnected: [];
  reconnected: [{ session: string; leases: string[] }];
  'lease-lost': [{ lease: string; reason: string }];
}

export interface ConnectOptions {
  apiSocket?: string;
  fdSocket?: string;
  timeoutMs?: number;
  /**
   * When the daemon goes away (a restart), reconnect and re-attach every lease
   * this client holds, for up to this long (default 120 s; 0 disables). The
   * device fds already in hand keep working meanwhile: the kernel does not care.
   */
  reconnectMs?: number;
}
