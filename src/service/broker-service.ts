/**
 * The broker's operations, independent of transport. gRPC handlers call these
 * with the caller's kernel credentials; fds leave through `deliver` (the fd
 * channel). Each public method reads as its data path: authorize, resolve,
 * decide, reserve, open, deliver, audit. The parts it composes:
 * ownership and policy (pure, src/broker), the Host port (src/kernel), one
 * LeaseResources per lease, one opener per mode, the Binder, and Restarts.
 */
import { EventEmitter } from 'node:events';
import type { Host, Holder, LegacyHandles } from '../kernel/host.js';
import { PermissionDeniedError } from '../broker/errors.js';
import { LeaseTable, type Lease } from '../broker/lease-table.js';
import { SessionTable, type Session } from '../broker/session-table.js';
import { GrantTable, type Grant } from '../broker/grant-table.js';
import { ClaimTable } from '../broker/claim-table.js';
import { Cgroups } from '../kernel/cgroup.js';
import { Claims } from './claims.js';
import type { ServiceOptions } from './options.js';
import { DEFAULT_LIMITS, type Limits } from '../broker/limits.js';
import { isAdmin } from '../broker/policy.js';
import { who } from '../broker/audit.js';
import { requireDeviceName } from '../broker/input.js';
import type { Caller } from '../broker/types.js';
import type { ServiceContext } from './context.js';
import { LeaseResources } from './lease-resources.js';
import { openers } from './lease-opener.js';
import { Binder, auditedMove } from './binding.js';
import { GroupTypes } from './group-type.js';
import { Restarts, type Released } from './restarts.js';
import { Acquisition, type AcquireInput, type Acquired } from './acquisition.js';
import { revokeLease } from './revocation.js';
import { mint } from './minting.js';
import { createGrant, liveGrants, revokeGrant, type ShareInput } from './sharing.js';
import { findGroup, listGroups, type GroupView } from './inventory-view.js';
import { RpcGuard } from './guard.js';
import { MdevProvisioning, removeMdevLater } from './mdev.js';
import { announceDeviceChange, type DeviceChange } from './device-events.js';
import { newId, newSecret } from './ids.js';
import type { BindOutcome, BrokerEvent } from './types.js';

export type { BindOutcome, BrokerEvent, Deliver, Delivered, DeliveryItem, Notify } from './types.js';
export type { AcquireInput, Acquired } from './acquisition.js';
export { modesOf } from './inventory-view.js';

export type { ServiceOptions } from './options.js';

export class BrokerService extends EventEmitter {
  readonly leases = new LeaseTable(() => newId('L-'));
  readonly sessions = new SessionTable();
  readonly grants = new GrantTable();
  readonly started: Date;
  readonly ctx: ServiceContext;
  readonly claims: Claims;
  /** Admin: IOMMU group type changes (SetGroupType). */
  readonly groupTypes: GroupTypes;
  /** Mediated devices: inventory, admin create/remove, Acquire of a type. */
  readonly mdev: MdevProvisioning;
  #o: ServiceOptions;
  #binder: Binder;
  #restarts: Restarts;
  #acquisition: Acquisition;
  #guard: RpcGuard;
  #stopping = false;
  #limits: Limits;

  constructor(o: ServiceOptions) {
    super();
    this.#o = o;
    this.#limits = o.limits ?? DEFAULT_LIMITS;
    const now = o.now ?? (() => new Date());
    this.started = now();
    this.#binder = new Binder(o.host, o.criticalOverride);
    const resources = new Map<string, LeaseResources>();
    this.ctx = {
      host: o.host, policy: o.policy, leases: this.leases, sessions: this.sessions, grants: this.grants, claims: new ClaimTable(() => newId('C-')), resources,
      fdStore: o.fdStore, now, notify: o.notify, deliver: o.deliver,
      audit: (r) => o.audit({ audit: true, time: now().toISOString(), ...r }),
      event: (e) => this.event(e),
      warn: (m) => this.warn(m),
      persist: () => o.journal?.write(this.leases.all()),
      flushed: async () => { await o.journal?.flushed?.(); },
      end: (l, reason, announce) => this.end(l, reason, announce),
      removeMdev: (uuid) => removeMdevLater(this.ctx, uuid),
      holdingsFor: (leaseId) => {
        const res = new LeaseResources(leaseId, { fdStore: o.fdStore, restoreBinding: (g) => this.#binder.restoreById(g), removeMdev: (u) => this.ctx.removeMdev(u), warn: (m) => this.warn(m) });
        resources.set(leaseId, res);
        return res;
      },
    };
    this.mdev = new MdevProvisioning(this.ctx);
    this.#acquisition = new Acquisition(this.ctx, openers(this.ctx), this.#binder, this.mdev);
    this.#restarts = new Restarts(this.ctx);
    this.claims = new Claims(this.ctx, this.#acquisition, (c) => this.requireAdmin(c), o.cgroups ?? new Cgroups(), o.claimJournal);
    this.#guard = new RpcGuard(this.ctx.audit);
    this.groupTypes = new GroupTypes(this.ctx, this.#guard, (c) => this.requireAdmin(c));
  }

  get host(): Host {
    return this.#o.host;
  }

  openSession(cred: Caller): Session {
    const s: Session = { id: newId('S-'), secret: newSecret(), cred, since: this.ctx.now() };
    this.sessions.add(s);
    return s;
  }

  /** The session's socket closed: the owner is gone, so everything it owned ends. */
  closeSession(sessionId: string, reason = 'owner session closed'): void {
    if (!this.sessions.remove(sessionId)) return;
    // A daemon on its way out drops every session; that is not the owners leaving.
    if (this.#stopping) return;
    for (const l of this.leases.ofSession(sessionId)) this.end(l, reason);
  }

  listGroups(): GroupView[] {
    return listGroups(this.host, this.leases);
  }

  getGroup(raw: unknown): GroupView {
    return findGroup(this.host, this.leases, raw);
  }

  /** Admin only: it walks every process's fds. */
  holders(caller: Caller, raw: unknown): { holders: Holder[]; owner?: Lease } {
    return this.#guard.runSync('Holders', caller, () => {
      this.requireAdmin(caller);
      const { group, owner } = this.getGroup(raw);
      return { holders: this.host.holders(group), owner };
    });
  }

  /** Whose leases this caller sees in full (pid, exe, session): an admin every one, anyone else their own. */
  seesOwner(caller: Caller): (l: Lease) => boolean {
    return isAdmin(this.#o.policy(), caller) ? () => true : (l) => l.owner.uid === caller.uid;
  }

  status() {
    return { groups: this.host.scan().length, leases: this.leases.size, sessions: this.sessions.size, started: this.started };
  }

  /** The lease whose groups contained this device when it was acquired. */
  leaseOfDevice(name: string): Lease | undefined {
    for (const [id, res] of this.ctx.resources) if (res.members.has(name)) return this.leases.get(id);
    return undefined;
  }

  /** A kernel uevent: the inventory may have changed, and watchers and owners hear of it. */
  deviceChanged(ev: DeviceChange): { kind: string; lease?: Lease } | null {
    this.host.deviceChanged(ev);
    return announceDeviceChange(this.ctx, ev, (d) => this.leaseOfDevice(d));
  }

  async acquire(caller: Caller, req: AcquireInput): Promise<Acquired> {
    const started = process.hrtime.bigint();
    let result = 'ok';
    try {
      return await this.#guard.run('Acquire', caller, () => this.#acquisition.acquire(caller, req));
    } catch (e) {
      result = (e as { status?: string }).status ?? 'INTERNAL';
      throw e;
    } finally {
      this.#o.observer?.acquired?.({ mode: req.mode, result, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
  }

  release(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string): void {
    this.#guard.runSync('Release', caller, () => this.end(this.ownedLease(caller, sessionId, secret, leaseId), 'released by owner'));
  }

  openDevice(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string, device: unknown) {
    return this.#guard.run('OpenDevice', caller, () => {
      const lease = this.ownedLease(caller, sessionId, secret, leaseId);
      return mint(this.ctx, 'OpenDevice', caller, lease, lease.sessionId!, [requireDeviceName(device)], null);
    });
  }

  share(caller: Caller, sessionId: string | undefined, secret: string | undefined, o: ShareInput): Grant {
    return this.#guard.runSync('Share', caller, () => createGrant(this.ctx, caller, this.ownedLease(caller, sessionId, secret, o.leaseId), o, this.#limits.grantsPerLease));
  }

  redeem(caller: Caller, sessionId: string | undefined, secret: string | undefined, token: string) {
    return this.#guard.run('Redeem', caller, async () => {
      const session = this.sessions.authorize(sessionId, secret, caller);
      const grant = this.grants.redeem(String(token ?? ''), caller, this.ctx.now());
      const lease = this.leases.mustGet(grant.leaseId);
      const withGroups = grant.includeContainer ? new Set(grant.groups) : null;
      return { lease, ...(await mint(this.ctx, 'Redeem', caller, lease, session.id, grant.devices, withGroups)) };
    });
  }

  /** The owner's live grants of one lease. */
  listGrants(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string): Grant[] {
    return this.#guard.runSync('ListGrants', caller, () => liveGrants(this.ctx, this.ownedLease(caller, sessionId, secret, leaseId)));
  }

  revokeGrant(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string, grantId: string): void {
    this.#guard.runSync('RevokeGrant', caller, () => revokeGrant(this.ctx, caller, this.ownedLease(caller, sessionId, secret, leaseId), grantId));
  }

  /** Admin revoke: ask the owner to let go, and end the lease at the deadline anyway. */
  revoke(caller: Caller, leaseId: string, deadlineMs: number) {
    return this.#guard.run('Revoke', caller, () => {
      this.requireAdmin(caller);
      return revokeLease(this.ctx, this, caller, leaseId, deadlineMs);
    });
  }

  /** End a lease exactly once: out of the table and the journal, grants dropped, everything it held closed. */
  end(lease: Lease, reason: string, announce = true): void {
    if (!this.leases.release(lease.id)) return;
    this.ctx.persist();
    this.claims.leaseEnded(lease);
    this.grants.dropLease(lease.id);
    this.ctx.resources.get(lease.id)?.close();
    this.ctx.resources.delete(lease.id);
    if (announce) {
      this.ctx.audit({ event: 'release', rpc: 'Release', who: who(lease.owner), lease: lease.id, groups: lease.groups, reason });
      this.event({ kind: 'lease-released', leaseId: lease.id, owner: lease, group: lease.groups[0], reason });
    }
  }

  bind(caller: Caller, raw: unknown): Promise<BindOutcome[]> {
    return this.adminBinding('Bind', caller, raw, (g) => this.#binder.bind(g));
  }

  unbind(caller: Caller, raw: unknown): Promise<BindOutcome[]> {
    return this.adminBinding('Unbind', caller, raw, (g) => this.#binder.restore(g));
  }

  private adminBinding(rpc: 'Bind' | 'Unbind', caller: Caller, raw: unknown, op: (g: GroupView['group']) => Promise<BindOutcome[]>): Promise<BindOutcome[]> {
    return this.#guard.run(rpc, caller, async () => {
      this.requireAdmin(caller);
      return auditedMove(this.ctx, rpc, caller, this.getGroup(raw), op);
    });
  }

  restore(leases: Lease[], handles: Map<string, LegacyHandles>) {
    return this.#restarts.restore(leases, handles);
  }

  reattach(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseIds: string[], leaseSecret: string): string[] {
    return this.#guard.runSync('Reattach', caller, () => this.#restarts.reattach(caller, this.sessions.authorize(sessionId, secret, caller).id, leaseIds, leaseSecret));
  }

  expireOrphans(olderThan: Date): Released[] {
    return this.#restarts.expireOrphans(olderThan);
  }

  get restoredAt(): Date | null {
    return this.#restarts.restoredAt;
  }

  set restoredAt(d: Date | null) {
    this.#restarts.restoredAt = d;
  }

  /** Release orphans that outstay `graceSeconds` after a restore, reporting each. */
  startGraceTimer(graceSeconds: number, onExpired: (r: Released) => void): void {
    this.#restarts.startGraceTimer(graceSeconds, onExpired);
  }

  /**
   * The daemon is stopping (a restart, an upgrade, or a plain stop). Leases stay:
   * their sessions closing is not their owners leaving, and the next start
   * restores them from the journal. Our fd copies close; the fd store keeps its own.
   */
  stop(): void {
    this.#stopping = true;
    this.#restarts.stopGraceTimer();
    this.claims.stopWatch();
    for (const res of this.ctx.resources.values()) res.detach();
  }

  /** End every lease (daemon shutdown without a restart to come). */
  shutdown(reason: string): void {
    for (const l of this.leases.all()) this.end(l, reason);
  }

  requireAdmin(caller: Caller): void {
    if (!isAdmin(this.#o.policy(), caller)) throw new PermissionDeniedError(`uid ${caller.uid} is not root or in the admin group`, { uid: caller.uid });
  }

  private ownedLease(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string): Lease {
    const session = this.sessions.authorize(sessionId, secret, caller);
    const lease = this.leases.mustGet(String(leaseId ?? ''));
    if (lease.sessionId !== session.id) {
      throw new PermissionDeniedError(`lease ${lease.id} belongs to another session (pid ${lease.owner.pid}, uid ${lease.owner.uid})`, { lease: lease.id, 'owner-pid': lease.owner.pid });
    }
    return lease;
  }

  private warn(message: string): void {
    this.#o.observer?.warning?.(message);
  }

  event(e: Omit<BrokerEvent, 'time'>): void {
    if (this.listenerCount('event') === 0) return; // nobody watches: no event to build
    this.emit('event', { time: this.ctx.now().toISOString(), ...e });
  }
}
