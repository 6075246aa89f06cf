/**
 * Acquire, step by step: authorize the session, resolve what the request names,
 * decide by policy, reserve the groups (the one synchronous decision point),
 * journal, open by mode, deliver, audit. A failure at any step after the
 * reservation ends the lease and closes everything it held.
 */
import type { HostGroup } from '../kernel/host.js';
import { InternalError, PermissionDeniedError, PreconditionError, QuotaError } from '../broker/errors.js';
import type { Lease } from '../broker/lease-table.js';
import { decideAcquire } from '../broker/policy.js';
import { who } from '../broker/audit.js';
import { optionalRequestTag } from '../broker/input.js';
import type { Caller, Mode } from '../broker/types.js';
import type { ServiceContext } from './context.js';
import type { Binder } from './binding.js';
import type { LeaseOpener } from './lease-opener.js';
import type { LeaseResources } from './lease-resources.js';
import { checkUsable, resolveGroups } from './inventory-view.js';
import { withSlotSiblings } from './slot-isolation.js';
import { newId, newSecret } from './ids.js';
import { closeUnkept, describeItems, type Delivered, type DeliveryItem } from './types.js';
import type { MdevProvisioning } from './mdev.js';

export interface AcquireInput {
  sessionId?: string;
  secret?: string;
  groups: unknown[];
  devices: unknown[];
  mode: Mode;
  onlyRequested: boolean;
  managed: boolean;
  /** Acquire of an mdev type: the broker creates an instance (on `mdevParent`, or any parent offering it). */
  mdevType?: string;
  mdevParent?: string;
  /** Set by the mdev path: the instance it created, which the lease takes over (`adopted`). */
  created?: { uuid: string; adopted: boolean };
  /** The client's tag for the delivery: the fds' header then carries it and the lease. */
  tag?: unknown;
}

export interface Acquired { lease: Lease; requestId: string; delivered: Delivered[] }

export class Acquisition {
  constructor(private ctx: ServiceContext, private openers: Record<Mode, LeaseOpener>, private binder: Binder, private mdev: MdevProvisioning) {}

  async acquire(caller: Caller, req: AcquireInput): Promise<Acquired> {
    if (req.mdevType) return this.mdev.acquireType(caller, req, (r) => this.acquire(caller, r));
    const session = this.ctx.sessions.authorize(req.sessionId, req.secret, caller);
    const tag = optionalRequestTag(req.tag);
    const { groups: asked, requested } = resolveGroups(this.ctx.host, req.groups, req.devices);
    checkUsable(asked, req.mode, req.managed);
    const groups = this.ctx.policy().slotIsolation ? withSlotSiblings(this.ctx, caller, asked, req.mode, req.managed) : asked;
    this.binder.assertIdle(groups);
    const only = req.onlyRequested ? requested : undefined;
    const lease = this.reserve(caller, session.id, groups, req, only);
    return this.complete('Acquire', caller, lease, groups, only, { created: req.created, tag });
  }

  /** Open and deliver a reserved lease's fds, then audit and announce it (Acquire, and a claim's redemption). */
  async complete(rpc: string, caller: Caller, lease: Lease, groups: HostGroup[], only: Set<string> | undefined, req: { created?: AcquireInput['created']; tag?: string } = {}): Promise<Acquired> {
    const { created, tag } = req;
    const res = this.ctx.holdingsFor(lease.id);
    if (created) {
      // The lease owns the instance from here: it is removed when the lease ends, however that happens.
      res.ownMdev(created.uuid);
      created.adopted = true;
    }
    res.members = new Set(groups.flatMap((g) => g.devices.map((d) => d.name)));
    const requestId = newId('R-', 4);
    const items = await this.openAndDeliver(lease, res, requestId, tag, async () => {
      if (!lease.managed) return this.openers[lease.mode].open(lease, groups, only, res);
      const ready = await this.binder.bindForLease(lease, groups, res);
      // Binding takes a while off the loop: the owner may have gone meanwhile.
      this.ctx.leases.assertLive(lease);
      return this.openers[lease.mode].open(lease, ready, only, res);
    });
    const delivered = describeItems(items);
    this.ctx.audit({ event: 'grant', rpc, who: who(caller), lease: lease.id, groups: lease.groups, fds: delivered, rule: lease.rule });
    this.ctx.event({ kind: 'lease-acquired', leaseId: lease.id, owner: lease, group: lease.groups[0] });
    return { lease, requestId, delivered };
  }

  /** Policy, claims, then the lease table: synchronous, so racing acquires cannot both pass. */
  private reserve(caller: Caller, sessionId: string, groups: HostGroup[], req: AcquireInput, only: Set<string> | undefined): Lease {
    // A claim's groups are for its redeemer only (RedeemClaim), whoever else asks.
    this.ctx.claims.assertUnclaimed(groups.map((g) => g.id));
    const decision = decideAcquire(this.ctx.policy(), caller, groups, req.mode, this.ctx.leases.countForUid(caller.uid), req.managed);
    if (!decision.allowed) {
      throw decision.quota
        ? new QuotaError(`lease limit reached: ${decision.reason}`, { uid: caller.uid })
        : new PermissionDeniedError(`denied by policy: ${decision.reason}`, { uid: caller.uid, groups: groups.map((g) => g.id).join(',') });
    }
    return this.ctx.leases.reserve({
      groups: groups.map((g) => g.id), sessionId, owner: caller, mode: req.mode, devices: only ? [...only] : [],
      rule: decision.rule, memlockBytes: decision.memlockBytes, managed: req.managed, allowShare: decision.allowShare, mdev: req.created?.uuid, now: this.ctx.now(),
    }, newSecret());
  }

  /**
   * The journal is on disk before any fd leaves, and a lease whose owner went
   * away meanwhile opens nothing.
   */
  private async openAndDeliver(lease: Lease, res: LeaseResources, requestId: string, tag: string | undefined, open: () => Promise<DeliveryItem[]>): Promise<DeliveryItem[]> {
    let items: DeliveryItem[] = [];
    try {
      this.ctx.persist();
      await this.ctx.flushed();
      this.ctx.leases.assertLive(lease);
      items = await open();
      if (lease.memlockBytes > 0) this.applyMemlock(lease.owner, lease.memlockBytes);
      await this.ctx.deliver(lease.sessionId!, requestId, items, tag === undefined ? {} : {
        tag, lease: { id: lease.id, secret: lease.secret, groups: lease.groups, mode: lease.mode, memlock_bytes: lease.memlockBytes, ...(lease.mdev ? { mdev_uuid: lease.mdev } : {}) },
      });
      this.ctx.leases.assertLive(lease);
      return items;
    } catch (e) {
      closeUnkept(items);
      this.ctx.end(lease, `acquire failed: ${(e as Error).message}`, false);
      // The lease may have ended before this acquire opened its fds (the owner's
      // session closed mid-acquire): end() was a no-op then, so close them here.
      res.close();
      this.ctx.resources.delete(lease.id);
      throw e;
    }
  }

  /** prlimit reaches a pid, so first make sure it is still the process that connected. */
  private applyMemlock(owner: Caller, bytes: number): void {
    const pid = owner.pid;
    // No start time means /proc hides other processes from the daemon (ProtectProc): prlimit still works.
    if (owner.startTime === 'gone' || (owner.startTime !== undefined && !this.ctx.host.alive(pid, owner.startTime))) {
      throw new PreconditionError(`pid ${pid}, which opened this connection, has exited: the memlock allowance of ${bytes} bytes is applied to the connecting process only, never to a pid that may now be someone else's`, { pid });
    }
    try {
      this.ctx.host.setMemlock(pid, bytes);
    } catch (e) {
      throw new InternalError(`could not raise RLIMIT_MEMLOCK of pid ${pid} to ${bytes} bytes: ${(e as Error).message}`, { pid, memlock: bytes });
    }
  }
}
