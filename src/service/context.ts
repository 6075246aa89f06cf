/**
 * What the service's parts share: the tables, the Host, and the ways out (audit,
 * events, notifications, deliveries, the journal). Built once by the facade.
 */
import type { Host } from '../kernel/host.js';
import type { Lease, LeaseTable } from '../broker/lease-table.js';
import type { SessionTable } from '../broker/session-table.js';
import type { GrantTable } from '../broker/grant-table.js';
import type { ClaimTable } from '../broker/claim-table.js';
import type { Policy } from '../broker/policy.js';
import type { AuditRecord } from '../broker/audit.js';
import type { LeaseResources } from './lease-resources.js';
import type { BrokerEvent, Deliver, FdStorePort, Notify } from './types.js';

export type AuditInput = Omit<AuditRecord, 'audit' | 'time'>;

export interface ServiceContext {
  host: Host;
  policy(): Policy;
  leases: LeaseTable;
  sessions: SessionTable;
  grants: GrantTable;
  /** Groups reserved for a redeemer to come (src/service/claims.ts). */
  claims: ClaimTable;
  /** The kernel-side holdings of each live lease, by lease id. */
  resources: Map<string, LeaseResources>;
  fdStore?: FdStorePort;
  now(): Date;
  audit(r: AuditInput): void;
  event(e: Omit<BrokerEvent, 'time'>): void;
  warn(message: string): void;
  notify: Notify;
  deliver: Deliver;
  /** Write the lease table to the journal (batched). */
  persist(): void;
  /** Resolves when what persist() wrote is on disk. */
  flushed(): Promise<void>;
  /** End a lease exactly once (see BrokerService.end). */
  end(lease: Lease, reason: string, announce?: boolean): void;
  /** Remove an mdev in the background (a lease's, when it ends); failures are warnings. */
  removeMdev(uuid: string): void;
  /** A new LeaseResources for a lease, registered in `resources`. */
  holdingsFor(leaseId: string): LeaseResources;
}
