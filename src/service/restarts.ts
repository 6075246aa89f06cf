/**
 * Restarts without losing a lease: leases come back from the journal (and their
 * container and group fds from the systemd fd store), wait for their owners to
 * re-attach, and are released when an owner is found gone or the grace period
 * ends.
 */
import type { LegacyHandles } from '../kernel/host.js';
import type { OwnedFd } from '../kernel/owned-fd.js';
import type { Lease } from '../broker/lease-table.js';
import type { Caller } from '../broker/types.js';
import { PermissionDeniedError, PreconditionError } from '../broker/errors.js';
import { deliverableDevices } from '../broker/policy.js';
import { who } from '../broker/audit.js';
import type { ServiceContext } from './context.js';
import type { LeaseResources } from './lease-resources.js';
import { closeHandles } from './lease-resources.js';
import { groupsOf } from './inventory-view.js';
import { watchDevice } from './device-watch.js';

export interface Released { lease: Lease; reason: string }

export class Restarts {
  restoredAt: Date | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(private ctx: ServiceContext) {}

  /**
   * Put back leases from the journal. Each stays reserved for its owner
   * ("orphaned") until the owner re-attaches, its process is found gone, or the
   * grace period ends. `handles` are the fds recovered from the fd store.
   */
  restore(leases: Lease[], handles: Map<string, LegacyHandles>): { restored: Lease[]; dropped: Released[] } {
    const { ctx } = this;
    const restored: Lease[] = [];
    const dropped: Released[] = [];
    for (const l of leases) {
      if (!ctx.host.alive(l.owner.pid, l.owner.startTime)) {
        dropped.push({ lease: l, reason: `owner pid ${l.owner.pid} is gone` });
        if (l.mdev) ctx.removeMdev(l.mdev);
        continue;
      }
      ctx.leases.restore({ ...l, sessionId: null, state: 'orphaned' });
      const res = ctx.holdingsFor(l.id);
      res.members = new Set(groupsOf(ctx.host, l).flatMap((g) => g.devices.map((d) => d.name)));
      // After a restart there is no record of what Bind took: restoring gives every vfio member back.
      if (l.managed) for (const g of l.groups) res.addBinding(g);
      if (l.mdev) res.ownMdev(l.mdev);
      const h = handles.get(l.id);
      if (h) {
        res.adoptHandles(h, true);
        this.rewatch(l, h, res);
      }
      restored.push(l);
    }
    // fds of leases that are not coming back: out of the store, and closed.
    for (const [leaseId, h] of handles) {
      if (ctx.leases.get(leaseId)) continue;
      try {
        ctx.fdStore?.drop(leaseId, h);
      } catch (e) {
        ctx.warn(`fd store: cannot drop the fds of lease ${leaseId}: ${(e as Error).message}`);
      }
      closeHandles(h);
    }
    ctx.persist();
    for (const d of dropped) ctx.audit({ event: 'release', rpc: 'Restore', who: who(d.lease.owner), lease: d.lease.id, groups: d.lease.groups, reason: d.reason });
    this.restoredAt = ctx.now();
    return { restored, dropped };
  }

  /**
   * The kernel still signals the eventfds the previous daemon registered, but
   * nobody reads them: register ours again through a short-lived device fd minted
   * from the recovered group fd (the registration outlives our fd while the
   * client holds its own).
   */
  private rewatch(lease: Lease, h: LegacyHandles, res: LeaseResources): void {
    const { ctx } = this;
    for (const g of groupsOf(ctx.host, lease)) {
      const gfd = h.groups.get(g.id);
      if (!gfd) continue;
      for (const d of deliverableDevices(g, lease.devices.length ? new Set(lease.devices) : undefined)) {
        let fd: OwnedFd | undefined;
        try {
          fd = ctx.host.deviceFd(gfd, d);
          watchDevice(ctx, res, g.id, d, fd);
        } catch (e) {
          ctx.warn(`cannot watch ${d} of restored lease ${lease.id} for removal requests: ${(e as Error).message}`);
        } finally {
          fd?.close();
        }
      }
    }
  }

  /** The same owner, on a new session, takes its leases back. */
  reattach(caller: Caller, sessionId: string, leaseIds: string[], leaseSecret: string): string[] {
    const { ctx } = this;
    const out: string[] = [];
    for (const lid of leaseIds) {
      const l = ctx.leases.mustGet(String(lid));
      const sameOwner = l.owner.uid === caller.uid && typeof leaseSecret === 'string' && leaseSecret.length > 0 && l.secret === leaseSecret;
      if (!sameOwner) throw new PermissionDeniedError(`lease ${l.id} belongs to uid ${l.owner.uid}; re-attaching needs the same uid and the lease secret`, { lease: l.id });
      if (l.sessionId !== null && l.sessionId !== sessionId && ctx.sessions.get(l.sessionId)) {
        throw new PreconditionError(`lease ${l.id} is attached to a live session ${l.sessionId}`, { lease: l.id });
      }
      l.sessionId = sessionId;
      l.state = 'active';
      // The owner may be a new process (re-exec); from now on it is the owner.
      if (l.owner.pid !== caller.pid) l.owner = { ...caller };
      out.push(l.id);
      ctx.event({ kind: 'lease-reattached', leaseId: l.id, owner: l, group: l.groups[0] });
    }
    ctx.persist();
    return out;
  }

  /** Release restored leases whose owner did not come back in time, or whose process is gone. */
  expireOrphans(olderThan: Date): Released[] {
    const out: Released[] = [];
    for (const l of this.ctx.leases.all()) {
      if (l.state !== 'orphaned') continue;
      let reason: string | undefined;
      if (!this.ctx.host.alive(l.owner.pid, l.owner.startTime)) reason = `owner pid ${l.owner.pid} exited before re-attaching`;
      else if (olderThan.getTime() >= 0 && this.restoredAt && this.restoredAt <= olderThan) reason = `owner pid ${l.owner.pid} did not re-attach within the grace period`;
      if (reason) {
        this.ctx.end(l, reason);
        out.push({ lease: l, reason });
      }
    }
    return out;
  }

  /** Check orphans once a second; each release is reported through `onExpired`. */
  startGraceTimer(graceSeconds: number, onExpired: (r: Released) => void): void {
    this.stopGraceTimer();
    this.#timer = setInterval(() => {
      if (!this.restoredAt) return;
      for (const r of this.expireOrphans(new Date(this.ctx.now().getTime() - graceSeconds * 1000))) onExpired(r);
    }, 1000);
    this.#timer.unref();
  }

  stopGraceTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
