/**
 * The broker's operations, independent of transport: gRPC handlers call these with
 * the caller's kernel credentials; fds leave through the `deliver` callback (the fd
 * channel). Ownership and policy decisions are delegated to the pure logic in
 * src/broker; kernel work to the Host port. Every decision that lets an fd out, and
 * every refusal, produces an audit record.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { OwnedFd } from '../kernel/owned-fd.js';
import { isSysError } from '../kernel/sys-error.js';
import {
  BrokerError, InternalError, InvalidArgumentError, NotFoundError, PermissionDeniedError,
  PreconditionError, QuotaError, StillHeldError,
} from '../broker/errors.js';
import { LeaseTable, type Lease } from '../broker/lease-table.js';
import { SessionTable, type Session } from '../broker/session-table.js';
import { GrantTable } from '../broker/grant-table.js';
import { decideAcquire, deliverableDevices, isAdmin, type Policy } from '../broker/policy.js';
import { who, type AuditRecord } from '../broker/audit.js';
import type { Caller, FdRole, Mode } from '../broker/types.js';
import type { Holder, Host, HostGroup, LegacyHandles } from '../kernel/host.js';

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

export type Deliver = (sessionId: string, requestId: string, items: DeliveryItem[]) => Promise<void>;
export type Notify = (sessionId: string, message: Record<string, unknown>) => void;

export interface BrokerEvent {
  time: string;
  kind: string;
  group?: number;
  device?: string;
  leaseId?: string;
  owner?: Lease;
  reason?: string;
}

export interface AcquireInput {
  sessionId?: string;
  secret?: string;
  groups: unknown[];
  devices: unknown[];
  mode: Mode;
  onlyRequested: boolean;
  managed: boolean;
}

export interface ServiceOptions {
  host: Host;
  policy: () => Policy;
  audit: (rec: AuditRecord) => void;
  deliver: Deliver;
  notify: Notify;
  /** Durable record of the lease table; written before any fd of a new lease leaves. */
  journal?: { write(leases: Lease[]): void; flushed?(): Promise<void> };
  /**
   * Where the daemon's container and group fds survive a restart (the systemd fd
   * store): kept before a lease's fds go out, dropped when it ends.
   */
  fdStore?: { keep(leaseId: string, h: LegacyHandles): void; drop(leaseId: string, h: LegacyHandles): void };
  /** Devices an operator explicitly allowed to be unbound even though the host uses them. */
  criticalOverride?: Set<string>;
  now?: () => Date;
}

const id = (prefix: string, bytes = 6) => `${prefix}${randomBytes(bytes).toString('hex')}`;
const MAX_GROUPS_PER_LEASE = 64;
const MAX_DEVICE_NAME = 64;

export class BrokerService extends EventEmitter {
  readonly leases = new LeaseTable(() => id('L-'));
  readonly sessions = new SessionTable();
  readonly grants = new GrantTable();
  readonly started: Date;
  #handles = new Map<string, LegacyHandles>();
  /** Per lease, the kernel's device-request watches, one per device (the registration is per device). */
  #requests = new Map<string, Map<string, { close(): void }>>();
  /** Every member device of each lease's groups, as at acquire: sysfs forgets removed devices. */
  #members = new Map<string, Set<string>>();
  #o: ServiceOptions;
  #now: () => Date;

  constructor(o: ServiceOptions) {
    super();
    this.#o = o;
    this.#now = o.now ?? (() => new Date());
    this.started = this.#now();
  }

  get host(): Host {
    return this.#o.host;
  }

  // ---- sessions -------------------------------------------------------------

  openSession(cred: Caller): Session {
    const s: Session = { id: id('S-'), secret: randomBytes(24).toString('base64url'), cred, since: this.#now() };
    this.sessions.add(s);
    return s;
  }

  /** The session's socket closed: the owner is gone, so everything it owned ends. */
  closeSession(sessionId: string, reason = 'owner session closed'): void {
    if (!this.sessions.remove(sessionId)) return;
    // A daemon on its way out drops every session; that is not the owners leaving.
    // Their leases stay in the journal for the next start to restore.
    if (this.#stopping) return;
    for (const l of this.leases.ofSession(sessionId)) this.end(l, reason);
  }

  // ---- discovery ------------------------------------------------------------

  listGroups(): { group: HostGroup; owner?: Lease; modes: Mode[] }[] {
    return this.#o.host.scan().map((g) => ({ group: g, owner: this.leases.ownerOf(g.id), modes: modesOf(g) }));
  }

  getGroup(raw: unknown) {
    const gid = groupId(raw);
    const g = this.listGroups().find((x) => x.group.id === gid);
    if (!g) throw new NotFoundError(`no IOMMU group ${gid}`, { group: gid });
    return g;
  }

  holders(raw: unknown): { holders: Holder[]; owner?: Lease } {
    const { group, owner } = this.getGroup(raw);
    return { holders: this.#o.host.holders(group), owner };
  }

  // ---- leases ---------------------------------------------------------------

  async acquire(caller: Caller, req: AcquireInput): Promise<{ lease: Lease; requestId: string; delivered: Delivered[] }> {
    const rpc = 'Acquire';
    try {
      const session = this.sessions.authorize(req.sessionId, req.secret, caller);
      const { groups, requested } = this.resolve(req.groups, req.devices);
      for (const g of groups) {
        if (!g.viable && !req.managed) throw new PreconditionError(`group ${g.id} is not viable: ${g.viabilityReason}`, { group: g.id, reason: g.viabilityReason });
        if (!modesOf(g).includes(req.mode)) {
          throw new PreconditionError(
            g.noiommu ? `group ${g.id} is a noiommu group: only legacy mode is possible` : `group ${g.id} has no vfio cdev for every device: iommufd mode is not possible`,
            { group: g.id, mode: req.mode },
          );
        }
      }
      const decision = decideAcquire(this.#o.policy(), caller, groups, req.mode, this.leases.countForUid(caller.uid));
      if (!decision.allowed) {
        throw decision.quota
          ? new QuotaError(`lease limit reached: ${decision.reason}`, { uid: caller.uid })
          : new PermissionDeniedError(`denied by policy: ${decision.reason}`, { uid: caller.uid, groups: groups.map((g) => g.id).join(',') });
      }
      // The decision point: synchronous, so racing acquires cannot both pass it.
      const lease = this.leases.reserve({
        groups: groups.map((g) => g.id), sessionId: session.id, owner: caller, mode: req.mode,
        devices: requested && req.onlyRequested ? [...requested] : [], rule: decision.rule, memlockBytes: decision.memlockBytes,
        managed: req.managed, now: this.#now(),
      }, randomBytes(24).toString('base64url'));
      const requestId = id('R-', 4);
      let items: DeliveryItem[] = [];
      try {
        this.persist();
        // On disk before any fd leaves (a batched journal writes on the next turn).
        await this.#o.journal?.flushed?.();
        // The owner may have gone while the journal was written: open nothing for a dead lease.
        this.leases.assertLive(lease);
        const ready = req.managed ? this.bindForLease(lease, groups) : groups;
        items = req.mode === 'legacy' ? this.openLegacyItems(lease, ready, this.onlyIf(req, requested)) : this.openIommufdItems(ready, this.onlyIf(req, requested));
        if (decision.memlockBytes > 0) this.applyMemlock(caller.pid, decision.memlockBytes);
        await this.#o.deliver(session.id, requestId, items);
        this.leases.assertLive(lease);
      } catch (e) {
        for (const it of items) if (!it.keep) it.fd.close();
        this.end(lease, `acquire failed: ${(e as Error).message}`, false);
        // The lease may have ended before this acquire opened its fds (the owner's
        // session closed mid-acquire): end() was a no-op then, so drop them here.
        this.dropKernelState(lease.id);
        throw e;
      }
      const delivered = describe(items);
      this.#members.set(lease.id, new Set(groups.flatMap((g) => g.devices.map((d) => d.name))));
      this.audit({ event: 'grant', rpc, who: who(caller), lease: lease.id, groups: lease.groups, fds: delivered, rule: lease.rule });
      this.event({ kind: 'lease-acquired', leaseId: lease.id, owner: lease, group: lease.groups[0] });
      return { lease, requestId, delivered };
    } catch (e) {
      throw this.refused(rpc, caller, e);
    }
  }

  release(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string): void {
    try {
      const lease = this.ownedLease(caller, sessionId, secret, leaseId);
      this.end(lease, 'released by owner');
    } catch (e) {
      throw this.refused('Release', caller, e);
    }
  }

  async openDevice(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string, device: unknown) {
    try {
      const lease = this.ownedLease(caller, sessionId, secret, leaseId);
      return await this.mint('OpenDevice', caller, lease, lease.sessionId!, [deviceName(device)], false);
    } catch (e) {
      throw this.refused('OpenDevice', caller, e);
    }
  }

  share(caller: Caller, sessionId: string | undefined, secret: string | undefined, o: { leaseId: string; devices: unknown[]; uid?: number; pid?: number; includeContainer: boolean; anyUid: boolean }): string {
    try {
      const lease = this.ownedLease(caller, sessionId, secret, o.leaseId);
      const policy = this.#o.policy();
      const rule = policy.rules.find((r) => r.name === lease.rule);
      if (rule && !rule.allowShare && !isAdmin(policy, caller)) {
        throw new PermissionDeniedError(`policy rule "${rule.name}" that allowed lease ${lease.id} does not allow sharing (allowShare: false)`, { lease: lease.id, rule: rule.name });
      }
      if (lease.mode !== 'legacy') throw new PreconditionError('sharing mints device fds through the group fd, which exists only in legacy mode');
      const devices = o.devices.map(deviceName);
      const allowed = new Set(this.leaseDevices(lease));
      for (const d of devices) if (!allowed.has(d)) throw new InvalidArgumentError(`device ${d} is not a vfio-bound member of lease ${lease.id}`, { device: d });
      if (o.uid === undefined && !(o.anyUid && o.pid)) throw new InvalidArgumentError('a grant needs a grantee uid (or an explicit pid with any_uid)');
      const token = id('G-', 24);
      this.grants.add({
        token, leaseId: lease.id, devices: devices.length ? devices : [...allowed], uid: o.uid ?? null, pid: o.pid || null,
        includeContainer: o.includeContainer, createdBy: caller, since: this.#now(),
      });
      this.audit({ event: 'share', rpc: 'Share', who: who(caller), lease: lease.id, groups: lease.groups, reason: `grantee uid=${o.uid ?? '*'} pid=${o.pid || '*'} devices=${devices.join(',') || 'all'}` });
      return token;
    } catch (e) {
      throw this.refused('Share', caller, e);
    }
  }

  async redeem(caller: Caller, sessionId: string | undefined, secret: string | undefined, token: string) {
    try {
      const session = this.sessions.authorize(sessionId, secret, caller);
      const grant = this.grants.redeem(String(token ?? ''), caller);
      const lease = this.leases.mustGet(grant.leaseId);
      return { lease, ...(await this.mint('Redeem', caller, lease, session.id, grant.devices, grant.includeContainer)) };
    } catch (e) {
      throw this.refused('Redeem', caller, e);
    }
  }

  /**
   * Admin revoke: ask the owner to let go, and after the deadline end the lease
   * anyway. The kernel cannot take back an fd already handed out, so a process
   * that ignores the request keeps its device access until it exits: the answer
   * names those processes.
   */
  async revoke(caller: Caller, leaseId: string, deadlineMs: number) {
    try {
      this.requireAdmin(caller);
      const lease = this.leases.mustGet(leaseId);
      lease.state = 'revoking';
      this.event({ kind: 'lease-revoking', leaseId, owner: lease, group: lease.groups[0] });
      if (lease.sessionId) this.#o.notify(lease.sessionId, { type: 'revoke', lease: leaseId, deadline_ms: deadlineMs });
      const ended = await this.waitForEnd(leaseId, Math.max(0, Math.min(deadlineMs, 600_000)));
      if (!ended) this.end(lease, `revoked by uid ${caller.uid}`);
      const groups = this.#o.host.scan().filter((g) => lease.groups.includes(g.id));
      const still = groups.flatMap((g) => this.#o.host.holders(g));
      this.audit({ event: 'revoke', rpc: 'Revoke', who: who(caller), lease: leaseId, groups: lease.groups, reason: ended ? 'owner released' : 'deadline passed' });
      return {
        ended: true,
        stillHeldBy: still,
        note: still.length
          ? 'the lease has ended, but the kernel cannot revoke fds already handed out: the listed processes keep device access until they close them or exit'
          : ended ? 'the owner released the lease' : 'the lease was ended at the deadline; no process holds the devices any more',
      };
    } catch (e) {
      throw this.refused('Revoke', caller, e);
    }
  }

  status() {
    return {
      groups: this.#o.host.scan().length,
      leases: this.leases.size,
      sessions: this.sessions.size,
      started: this.started,
    };
  }

  /** The lease whose groups contained this device when it was acquired. */
  leaseOfDevice(name: string): Lease | undefined {
    for (const [id, m] of this.#members) if (m.has(name)) return this.leases.get(id);
    return undefined;
  }

  requireAdmin(caller: Caller): void {
    if (!isAdmin(this.#o.policy(), caller)) throw new PermissionDeniedError(`uid ${caller.uid} is not root or in the admin group`, { uid: caller.uid });
  }

  #stopping = false;

  /**
   * The daemon is stopping (a restart, an upgrade, or a plain stop). Leases stay:
   * their sessions closing is not their owners leaving, and the next start
   * restores them from the journal. Stop listening to the kernel meanwhile.
   */
  stop(): void {
    this.#stopping = true;
    for (const watches of this.#requests.values()) for (const w of watches.values()) w.close();
    this.#requests.clear();
    // Our copies only: the fd store keeps its own for the next start.
    for (const h of this.#handles.values()) closeHandles(h);
    this.#handles.clear();
  }

  /** End every lease (daemon shutdown without a restart to come). */
  shutdown(reason: string): void {
    for (const l of this.leases.all()) this.end(l, reason);
  }

  // ---- managed binding ------------------------------------------------------

  #bound = new Map<string, Map<string, string | null>>();

  /** Admin Bind: every non-bridge member of the group onto vfio-pci. */
  bind(caller: Caller, raw: unknown) {
    return this.adminBinding('Bind', caller, raw, (g) => this.bindGroup(g));
  }

  /** Admin Unbind: give each member back to the driver the kernel picks (the recorded one, normally). */
  unbind(caller: Caller, raw: unknown) {
    return this.adminBinding('Unbind', caller, raw, (g) => this.restoreGroup(g));
  }

  private adminBinding(rpc: 'Bind' | 'Unbind', caller: Caller, raw: unknown, op: (g: HostGroup) => BindOutcome[]): BindOutcome[] {
    try {
      this.requireAdmin(caller);
      const { group, owner } = this.getGroup(raw);
      if (owner) throw new PreconditionError(`group ${group.id} is leased (${owner.id}); release it first`, { group: group.id, lease: owner.id });
      const res = op(group);
      this.audit({ event: rpc === 'Bind' ? 'bind' : 'unbind', rpc, who: who(caller), groups: [group.id], reason: res.map((r) => `${r.device}:${r.fromDriver ?? '-'}->${r.toDriver ?? '-'}`).join(' ') });
      return res;
    } catch (e) {
      throw this.refused(rpc, caller, e);
    }
  }

  private bindGroup(group: HostGroup) {
    const members = group.devices.filter((d) => !d.bridge && d.driver !== 'pcieport');
    const critical = this.#o.host.criticalUses();
    const blocked = members.flatMap((d) => (this.#o.criticalOverride?.has(d.name) ? [] : (critical.get(d.name) ?? []).map((u) => `${d.name} ${u.reason}`)));
    if (blocked.length) {
      throw new PreconditionError(`refusing to take devices of group ${group.id} from their drivers: ${blocked.join('; ')} (override per device with "criticalOverride" in the daemon config)`, { group: group.id });
    }
    const record = this.#bound.get(String(group.id)) ?? new Map<string, string | null>();
    const out: BindOutcome[] = [];
    for (const d of members) {
      const r = this.kernel([group], () => this.#o.host.bindVfio(d.name));
      if (r.changed && !record.has(d.name)) record.set(d.name, r.fromDriver);
      out.push({ device: d.name, ...r });
    }
    this.#bound.set(String(group.id), record);
    return out;
  }

  private restoreGroup(group: HostGroup) {
    const record = this.#bound.get(String(group.id));
    const out: BindOutcome[] = [];
    for (const d of group.devices.filter((x) => !x.bridge && x.driver !== 'pcieport')) {
      if (d.driver !== 'vfio-pci' && !d.driverOverride) {
        out.push({ device: d.name, fromDriver: d.driver, toDriver: d.driver, changed: false, note: 'not bound by the broker' });
        continue;
      }
      if (record && !record.has(d.name)) {
        // Bind found it on vfio already (someone else put it there): Unbind undoes only what Bind did.
        // Without a record (a daemon restarted since Bind) every vfio-bound member is restored.
        out.push({ device: d.name, fromDriver: d.driver, toDriver: d.driver, changed: false, note: 'was on vfio before Bind; left there' });
        continue;
      }
      out.push({ device: d.name, ...this.kernel([group], () => this.#o.host.restoreDriver(d.name, record?.get(d.name) ?? null)) });
    }
    this.#bound.delete(String(group.id));
    return out;
  }

  /** Managed lease: bind at acquire, then re-read the groups and insist on viability. */
  private bindForLease(lease: Lease, groups: HostGroup[]): HostGroup[] {
    for (const g of groups) this.bindGroup(g);
    const fresh = new Map(this.#o.host.scan().map((g) => [g.id, g]));
    return groups.map((g) => {
      const now = fresh.get(g.id);
      if (!now) throw new NotFoundError(`group ${g.id} disappeared while binding`, { group: g.id });
      if (!now.viable) throw new PreconditionError(`group ${g.id} is still not viable after binding: ${now.viabilityReason}`, { group: g.id, lease: lease.id });
      return now;
    });
  }

  // ---- restarts -------------------------------------------------------------

  /**
   * Put back leases from the journal after a restart. Each stays reserved for its
   * owner ("orphaned") until the owner re-attaches, its process is found gone, or
   * the grace period ends. `handles` are the container/group fds recovered from
   * the systemd fd store, when there was one.
   */
  restore(leases: Lease[], handles: Map<string, LegacyHandles>): { restored: Lease[]; dropped: { lease: Lease; reason: string }[] } {
    const restored: Lease[] = [];
    const dropped: { lease: Lease; reason: string }[] = [];
    for (const l of leases) {
      const h = handles.get(l.id);
      if (!this.#o.host.alive(l.owner.pid, l.owner.startTime)) {
        if (h) this.forgetHandles(l.id, h);
        dropped.push({ lease: l, reason: `owner pid ${l.owner.pid} is gone` });
        continue;
      }
      this.leases.restore({ ...l, sessionId: null, state: 'orphaned' });
      if (h) {
        this.#handles.set(l.id, h);
        this.rewatchRequests(l, h);
      }
      restored.push(l);
    }
    for (const [leaseId, h] of handles) if (!this.leases.get(leaseId)) this.forgetHandles(leaseId, h);
    this.persist();
    for (const d of dropped) this.audit({ event: 'release', rpc: 'Restore', who: who(d.lease.owner), lease: d.lease.id, groups: d.lease.groups, reason: d.reason });
    return { restored, dropped };
  }

  /**
   * After a restart the kernel still signals the eventfds the previous daemon
   * registered, but nobody reads them. Register ours again through a
   * short-lived device fd minted from the recovered group fd (the registration
   * is per device, and outlives our fd while the client holds its own).
   */
  private rewatchRequests(lease: Lease, h: LegacyHandles): void {
    const groups = this.#o.host.scan().filter((g) => lease.groups.includes(g.id));
    for (const g of groups) {
      const gfd = h.groups.get(g.id);
      if (!gfd) continue;
      for (const d of deliverableDevices(g, lease.devices.length ? new Set(lease.devices) : undefined)) {
        let fd: OwnedFd | undefined;
        try {
          fd = this.#o.host.deviceFd(gfd, d);
          this.watchRequests(lease, g.id, d, fd);
        } catch (e) {
          this.emit('warning', `cannot watch ${d} of restored lease ${lease.id} for removal requests: ${(e as Error).message}`);
        } finally {
          fd?.close();
        }
      }
    }
  }

  /** The same owner, on a new session after a restart, takes its leases back. */
  reattach(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseIds: string[], leaseSecret: string): string[] {
    try {
      const session = this.sessions.authorize(sessionId, secret, caller);
      const out: string[] = [];
      for (const lid of leaseIds) {
        const l = this.leases.mustGet(String(lid));
        const sameOwner = l.owner.uid === caller.uid && typeof leaseSecret === 'string' && leaseSecret.length > 0 && l.secret === leaseSecret;
        if (!sameOwner) throw new PermissionDeniedError(`lease ${l.id} belongs to uid ${l.owner.uid}; re-attaching needs the same uid and the lease secret`, { lease: l.id });
        if (l.sessionId !== null && l.sessionId !== session.id && this.sessions.get(l.sessionId)) {
          throw new PreconditionError(`lease ${l.id} is attached to a live session ${l.sessionId}`, { lease: l.id });
        }
        l.sessionId = session.id;
        l.state = 'active';
        // The owner may be a new process (re-exec); from now on it is the owner.
        if (l.owner.pid !== caller.pid) l.owner = { ...caller };
        out.push(l.id);
        this.event({ kind: 'lease-reattached', leaseId: l.id, owner: l, group: l.groups[0] });
      }
      this.persist();
      return out;
    } catch (e) {
      throw this.refused('Reattach', caller, e);
    }
  }

  /** Release restored leases whose owner did not come back in time, or whose process is gone. */
  expireOrphans(olderThan: Date): { lease: Lease; reason: string }[] {
    const out: { lease: Lease; reason: string }[] = [];
    for (const l of this.leases.all()) {
      if (l.state !== 'orphaned') continue;
      let reason: string | undefined;
      if (!this.#o.host.alive(l.owner.pid, l.owner.startTime)) reason = `owner pid ${l.owner.pid} exited before re-attaching`;
      else if (olderThan.getTime() >= 0 && this.restoredAt && this.restoredAt <= olderThan) reason = `owner pid ${l.owner.pid} did not re-attach within the grace period`;
      if (reason) {
        this.end(l, reason);
        out.push({ lease: l, reason });
      }
    }
    return out;
  }

  restoredAt: Date | null = null;

  /** Close the daemon's fds and request watches of a lease (idempotent). */
  private dropKernelState(leaseId: string): void {
    const h = this.#handles.get(leaseId);
    this.#handles.delete(leaseId);
    if (h) this.forgetHandles(leaseId, h);
    for (const w of this.#requests.get(leaseId)?.values() ?? []) w.close();
    this.#requests.delete(leaseId);
  }

  private storeHandles(leaseId: string, h: LegacyHandles): void {
    try {
      this.#o.fdStore?.keep(leaseId, h);
    } catch (e) {
      // The lease works without it; only a restart would lose its group fds.
      this.emit('warning', `fd store: cannot keep the fds of lease ${leaseId}: ${(e as Error).message}`);
    }
  }

  /** Close the daemon's copies, and take them out of the fd store, exactly once. */
  private forgetHandles(leaseId: string, h: LegacyHandles): void {
    try {
      this.#o.fdStore?.drop(leaseId, h);
    } catch (e) {
      this.emit('warning', `fd store: cannot drop the fds of lease ${leaseId}: ${(e as Error).message}`);
    }
    closeHandles(h);
  }

  private persist(): void {
    this.#o.journal?.write(this.leases.all());
  }

  // ---- internals ------------------------------------------------------------

  /** Groups named by number or by device; each device resolves to its whole group. */
  private resolve(rawGroups: unknown[], rawDevices: unknown[]): { groups: HostGroup[]; requested?: Set<string> } {
    if (!Array.isArray(rawGroups) || !Array.isArray(rawDevices)) throw new InvalidArgumentError('groups and devices must be lists');
    if (rawGroups.length + rawDevices.length === 0) throw new InvalidArgumentError('name at least one group or device');
    if (rawGroups.length + rawDevices.length > MAX_GROUPS_PER_LEASE) throw new InvalidArgumentError(`at most ${MAX_GROUPS_PER_LEASE} groups and devices per lease`);
    const ids = new Set(rawGroups.map(groupId));
    const devices = rawDevices.map(deviceName);
    for (const d of devices) {
      const g = this.wrapHostErrors(() => this.#o.host.groupOfDevice(d));
      if (g === undefined) throw new NotFoundError(`no device ${d} in any IOMMU group`, { device: d });
      ids.add(g);
    }
    const all = new Map(this.#o.host.scan().map((g) => [g.id, g]));
    const groups = [...ids].sort((a, b) => a - b).map((gid) => {
      const g = all.get(gid);
      if (!g) throw new NotFoundError(`no IOMMU group ${gid}`, { group: gid });
      return g;
    });
    return { groups, requested: devices.length ? new Set(devices) : undefined };
  }

  private onlyIf(req: AcquireInput, requested?: Set<string>): Set<string> | undefined {
    return req.onlyRequested ? requested : undefined;
  }

  private openLegacyItems(lease: Lease, groups: HostGroup[], requested?: Set<string>): DeliveryItem[] {
    const handles = this.kernel(groups, () => this.#o.host.openLegacy(groups));
    this.#handles.set(lease.id, handles);
    this.storeHandles(lease.id, handles);
    const items: DeliveryItem[] = [{ fd: handles.container, role: 'container', keep: true }];
    for (const g of groups) items.push({ fd: handles.groups.get(g.id)!, role: 'group', group: g.id, keep: true });
    try {
      for (const g of groups) {
        for (const d of deliverableDevices(g, requested)) {
          const fd = this.kernel(groups, () => this.#o.host.deviceFd(handles.groups.get(g.id)!, d));
          items.push({ fd, role: 'device', group: g.id, device: d, keep: false });
          this.watchRequests(lease, g.id, d, fd);
        }
      }
    } catch (e) {
      for (const it of items) if (!it.keep) it.fd.close();
      throw e;
    }
    return items;
  }

  /**
   * iommufd mode: the client binds the cdevs itself, and a bound cdev excludes the
   * legacy group open (and the other way round), so the daemon must not keep any
   * fd. The group stays reserved by the lease table (and the journal); a short
   * probe open of the group first proves that no stale holder has it.
   */
  private openIommufdItems(groups: HostGroup[], requested?: Set<string>): DeliveryItem[] {
    const items: DeliveryItem[] = [];
    try {
      const probe = this.kernel(groups, () => this.#o.host.openLegacy(groups));
      closeHandles(probe);
      items.push({ fd: this.kernel(groups, () => this.#o.host.openIommufd()), role: 'iommufd', keep: false });
      for (const g of groups) {
        for (const d of deliverableDevices(g, requested)) {
          const dev = g.devices.find((x) => x.name === d)!;
          items.push({ fd: this.kernel(groups, () => this.#o.host.openCdev(dev.cdev!)), role: 'cdev', group: g.id, device: d, keep: false });
        }
      }
      return items;
    } catch (e) {
      for (const it of items) it.fd.close();
      throw e;
    }
  }

  /** Fresh device fds (and optionally the container and group fds) for an existing lease. */
  private async mint(rpc: string, caller: Caller, lease: Lease, sessionId: string, devices: string[], withContainer: boolean) {
    const handles = this.#handles.get(lease.id);
    if (!handles) throw new PreconditionError(`lease ${lease.id} has no group fd in the daemon (mode ${lease.mode}): device fds can only be minted for legacy leases`);
    const allowed = new Set(this.leaseDevices(lease));
    const items: DeliveryItem[] = [];
    if (withContainer) {
      items.push({ fd: handles.container, role: 'container', keep: true });
      for (const [g, fd] of handles.groups) items.push({ fd, role: 'group', group: g, keep: true });
    }
    const groups = this.#o.host.scan().filter((g) => lease.groups.includes(g.id));
    try {
      for (const d of devices) {
        if (!allowed.has(d)) throw new NotFoundError(`device ${d} is not a vfio-bound member of lease ${lease.id}`, { device: d, lease: lease.id });
        const g = groups.find((x) => x.devices.some((m) => m.name === d))!;
        const fd = this.kernel(groups, () => this.#o.host.deviceFd(handles.groups.get(g.id)!, d));
        items.push({ fd, role: 'device', group: g.id, device: d, keep: false });
        this.watchRequests(lease, g.id, d, fd);
      }
      const requestId = id('R-', 4);
      await this.#o.deliver(sessionId, requestId, items);
      this.leases.assertLive(lease);
      const delivered = describe(items);
      this.audit({ event: 'grant', rpc, who: who(caller), lease: lease.id, groups: lease.groups, fds: delivered, rule: lease.rule });
      return { requestId, delivered };
    } catch (e) {
      for (const it of items) if (!it.keep) it.fd.close();
      throw e;
    }
  }

  /**
   * Listen for the kernel asking for `device` back (sysfs remove or unbind while
   * a client holds it). The owner is told on its session and watchers see a
   * `device-release-requested` event; the removal waits until every fd of the
   * device is closed, which only the holders can do.
   */
  private watchRequests(lease: Lease, group: number, device: string, fd: OwnedFd): void {
    let watches = this.#requests.get(lease.id);
    if (!watches) this.#requests.set(lease.id, (watches = new Map()));
    if (watches.has(device)) return;
    let w: { close(): void } | null = null;
    try {
      w = this.#o.host.watchRequests(fd, device, () => {
        const live = this.leases.get(lease.id);
        if (!live) return;
        const reason = 'the kernel asks for the device back (it is being removed or unbound); close every fd of it to let that finish';
        this.event({ kind: 'device-release-requested', device, leaseId: lease.id, owner: live, group, reason });
        if (live.sessionId) this.#o.notify(live.sessionId, { type: 'device-event', lease: lease.id, kind: 'device-release-requested', device });
      });
    } catch (e) {
      // Not fatal: the lease works, the owner just won't hear of a removal early.
      this.emit('warning', `cannot watch ${device} for removal requests: ${(e as Error).message}`);
    }
    if (w) watches.set(device, w);
  }

  private leaseDevices(lease: Lease): string[] {
    const groups = this.#o.host.scan().filter((g) => lease.groups.includes(g.id));
    return groups.flatMap((g) => deliverableDevices(g, lease.devices.length ? new Set(lease.devices) : undefined));
  }

  private ownedLease(caller: Caller, sessionId: string | undefined, secret: string | undefined, leaseId: string): Lease {
    const session = this.sessions.authorize(sessionId, secret, caller);
    const lease = this.leases.mustGet(String(leaseId ?? ''));
    if (lease.sessionId !== session.id) {
      throw new PermissionDeniedError(`lease ${lease.id} belongs to another session (pid ${lease.owner.pid}, uid ${lease.owner.uid})`, { lease: lease.id, 'owner-pid': lease.owner.pid });
    }
    return lease;
  }

  /** End a lease exactly once: drop grants, close the daemon's fds, tell watchers. */
  end(lease: Lease, reason: string, announce = true): void {
    if (!this.leases.release(lease.id)) return;
    this.persist();
    this.grants.dropLease(lease.id);
    this.#members.delete(lease.id);
    this.dropKernelState(lease.id);
    if (lease.managed) {
      for (const g of this.#o.host.scan().filter((x) => lease.groups.includes(x.id))) {
        try {
          this.restoreGroup(g);
        } catch (e) {
          this.emit('warning', `restoring drivers of group ${g.id} after lease ${lease.id}: ${(e as Error).message}`);
        }
      }
    }
    if (announce) {
      this.audit({ event: 'release', rpc: 'Release', who: who(lease.owner), lease: lease.id, groups: lease.groups, reason });
      this.event({ kind: 'lease-released', leaseId: lease.id, owner: lease, group: lease.groups[0], reason });
    }
  }

  private waitForEnd(leaseId: string, ms: number): Promise<boolean> {
    if (!this.leases.get(leaseId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onEvent = (ev: BrokerEvent) => {
        if (ev.kind === 'lease-released' && ev.leaseId === leaseId) done(true);
      };
      const timer = setTimeout(() => done(false), ms);
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(v);
      };
      this.on('event', onEvent);
    });
  }

  private applyMemlock(pid: number, bytes: number): void {
    try {
      this.#o.host.setMemlock(pid, bytes);
    } catch (e) {
      throw new InternalError(`could not raise RLIMIT_MEMLOCK of pid ${pid} to ${bytes} bytes: ${(e as Error).message}`, { pid, memlock: bytes });
    }
  }

  /** Run a kernel step, turning the errnos that mean something to a client into typed refusals. */
  private kernel<T>(groups: HostGroup[], fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isSysError(e, 'EBUSY')) {
        const holders = groups.flatMap((g) => this.#o.host.holders(g));
        const list = holders.map((h) => `pid ${h.pid} uid ${h.uid} (${h.comm})`).join(', ');
        throw new StillHeldError(
          `group ${groups.map((g) => g.id).join(', ')} is still open in the kernel${list ? ` by ${list}` : ''}, left over from an ended lease; it becomes free when ${holders.length === 1 ? 'that process exits' : 'those processes exit'}`,
          { groups: groups.map((g) => g.id).join(','), holders: holders.map((h) => h.pid).join(','), op: e.op },
        );
      }
      if (isSysError(e, 'EPERM') || isSysError(e, 'EACCES')) throw new PreconditionError(`the kernel refused: ${e.message}`, { op: e.op, errno: e.code });
      if (isSysError(e, 'ENODEV') || isSysError(e, 'ENOENT')) throw new NotFoundError(`device went away: ${e.message}`, { op: e.op, errno: e.code });
      if (isSysError(e)) throw new InternalError(e.message, { op: e.op, errno: e.code });
      throw e;
    }
  }

  private wrapHostErrors<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const kind = (e as { kind?: string }).kind ?? '';
      if (/invalid/i.test(kind) || /invalid/i.test((e as Error).name)) throw new InvalidArgumentError((e as Error).message);
      if (/no-?such|not-?found/i.test(kind) || /NoSuch|NotFound/.test((e as Error).name)) throw new NotFoundError((e as Error).message);
      throw e;
    }
  }

  private refused(rpc: string, caller: Caller, e: unknown): unknown {
    const err = e instanceof BrokerError ? e : new InternalError((e as Error)?.message ?? String(e));
    this.audit({ event: 'refusal', rpc, who: who(caller), status: err.status, reason: err.message });
    return err;
  }

  private audit(r: Omit<AuditRecord, 'audit' | 'time'>): void {
    this.#o.audit({ audit: true, time: this.#now().toISOString(), ...r });
  }

  event(e: Omit<BrokerEvent, 'time'>): void {
    this.emit('event', { time: this.#now().toISOString(), ...e });
  }
}

/** One device's move during Bind/Unbind. */
export interface BindOutcome {
  device: string;
  fromDriver: string | null;
  toDriver: string | null;
  changed: boolean;
  note: string;
}

export function modesOf(g: HostGroup): Mode[] {
  if (g.noiommu) return ['legacy'];
  const members = g.devices.filter((d) => !d.bridge && d.driver?.startsWith('vfio'));
  return members.length > 0 && members.every((d) => d.cdev) ? ['legacy', 'iommufd'] : ['legacy'];
}

function closeHandles(h: LegacyHandles): void {
  for (const fd of h.groups.values()) fd.close();
  h.container.close();
}

function describe(items: DeliveryItem[]): Delivered[] {
  return items.map((it, index) => ({ index, role: it.role, group: it.group, device: it.device }));
}

/** A group number from the wire: a plain non-negative integer, nothing else. */
export function groupId(v: unknown): number {
  const n = typeof v === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InvalidArgumentError(`invalid group id ${JSON.stringify(String(v)).slice(0, 80)}: expected a non-negative integer`);
  }
  return n;
}

/** A device name from the wire: sysfs names only, so nothing can point outside sysfs. */
export function deviceName(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_DEVICE_NAME || !/^[A-Za-z0-9:._-]+$/.test(v) || v === '.' || v === '..' || v.includes('..')) {
    throw new InvalidArgumentError(`invalid device name ${JSON.stringify(String(v)).slice(0, 80)}: expected a sysfs device name such as 0000:00:03.0`);
  }
  return v;
}

