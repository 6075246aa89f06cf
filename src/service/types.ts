/** The service's vocabulary at its edges: what it delivers, announces and reports. */
import type { OwnedFd } from '../kernel/owned-fd.js';
import type { LegacyHandles } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import type { FdRole, Mode } from '../broker/types.js';
import type { DeliveryExtra } from '../protocol/fd-protocol.js';

export interface DeliveryItem {
  fd: OwnedFd;
  role: FdRole;
  group?: number;
  device?: string;
  /** The daemon keeps its own copy (container and group fds of a legacy lease). */
  keep: boolean;
}

export interface Delivered {
  index: number;
  role: FdRole;
  group?: number;
  device?: string;
}

/** `extra`: the client's tag and the lease, echoed in the delivery's header (see fd-protocol.ts). */
export type Deliver = (sessionId: string, requestId: string, items: DeliveryItem[], extra?: DeliveryExtra) => Promise<void>;
export type Notify = (sessionId: string, message: Record<string, unknown>) => void;

export interface BrokerEvent {
  time: string;
  kind: string;
  group?: number;
  device?: string;
  leaseId?: string;
  owner?: Lease;
  reason?: string;
  claimId?: string;
}

/** One device's move during Bind/Unbind. */
export interface BindOutcome {
  device: string;
  fromDriver: string | null;
  toDriver: string | null;
  changed: boolean;
  note: string;
}

/** Where the daemon's container and group fds survive a restart (the systemd fd store). */
export interface FdStorePort {
  keep(leaseId: string, h: LegacyHandles): void;
  drop(leaseId: string, h: LegacyHandles): void;
}

/** Durable record of the lease table; written before any fd of a new lease leaves. */
export interface JournalPort {
  write(leases: Lease[]): void;
  flushed?(): Promise<void>;
}

/** Observer hooks: metrics and logs watch the service without patching it. */
export interface ServiceObserver {
  /** Every Acquire, allowed or refused, with its outcome (a status name or "ok"). */
  acquired?(o: { mode: Mode; result: string; seconds: number }): void;
  warning?(message: string): void;
}

export function describeItems(items: DeliveryItem[]): Delivered[] {
  return items.map((it, index) => ({ index, role: it.role, group: it.group, device: it.device }));
}

/** Close what the daemon does not keep; on failure paths, before anything was delivered. */
export function closeUnkept(items: DeliveryItem[]): void {
  for (const it of items) if (!it.keep) it.fd.close();
}
