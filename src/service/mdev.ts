/**
 * Mediated devices, as mdevctl handles them: the inventory of parents, types and
 * instances; admin create and remove; and Acquire of a *type* (the vGPU-per-VM
 * case): create an instance, lease its group like any other, and remove the
 * instance when the lease ends (LeaseResources owns it, the journal remembers it).
 */
import { randomUUID } from 'node:crypto';
import type { MdevInstanceInfo, MdevParentInfo } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import type { Caller } from '../broker/types.js';
import { GroupOwnedError, InternalError, InvalidArgumentError, NotFoundError, PermissionDeniedError, PreconditionError, QuotaError } from '../broker/errors.js';
import { decideAcquire, isAdmin } from '../broker/policy.js';
import { isDeviceName, quoted, requireMdevType, requireMdevUuid } from '../broker/input.js';
import { who } from '../broker/audit.js';
import type { ServiceContext } from './context.js';
import type { AcquireInput, Acquired } from './acquisition.js';
import { sysfsStep } from './refusals.js';
import { RpcGuard } from './guard.js';

/** How long RemoveMdev waits for the kernel before answering "pending". */
export const REMOVE_WAIT_MS = 5_000;

export interface MdevInstanceView extends MdevInstanceInfo {
  owner?: Lease;
  /** The broker created it for a lease (Acquire of a type) and removes it when the lease ends. */
  leaseOwned: boolean;
}

export interface MdevInventory { parents: MdevParentInfo[]; instances: MdevInstanceView[] }

export class MdevProvisioning {
  #guard: RpcGuard;

  constructor(private ctx: ServiceContext) {
    this.#guard = new RpcGuard(ctx.audit);
  }

  list(): MdevInventory {
    const leases = this.ctx.leases.all();
    const instances = this.ctx.host.mdevInstances().map((i) => ({
      ...i,
      owner: i.group !== null ? this.ctx.leases.ownerOf(i.group) : undefined,
      leaseOwned: leases.some((l) => l.mdev === i.uuid),
    }));
    return { parents: this.ctx.host.mdevParents(), instances };
  }

  /** Admin: create an instance of `type` on `parent` (every parent offering it when empty). */
  create(caller: Caller, rawParent: unknown, rawType: unknown, rawUuid: unknown): MdevInstanceInfo {
    return this.#guard.runSync('CreateMdev', caller, () => this.#create(caller, rawParent, rawType, rawUuid));
  }

  #create(caller: Caller, rawParent: unknown, rawType: unknown, rawUuid: unknown): MdevInstanceInfo {
    this.requireAdmin(caller);
    const type = requireMdevType(rawType);
    const uuid = rawUuid === undefined || rawUuid === '' ? randomUUID() : requireMdevUuid(rawUuid);
    const parent = this.pickParent(type, rawParent);
    const inst = this.createOn(parent, type, uuid);
    this.ctx.audit({ event: 'mdev-create', rpc: 'CreateMdev', who: who(caller), groups: inst.group !== null ? [inst.group] : [], reason: `${type} on ${parent}: ${uuid}` });
    return inst;
  }

  /** Admin: remove an instance, refused while a lease holds its group. */
  remove(caller: Caller, rawUuid: unknown, waitMs = REMOVE_WAIT_MS): Promise<{ removed: boolean; note: string }> {
    return this.#guard.run('RemoveMdev', caller, () => this.#remove(caller, rawUuid, waitMs));
  }

  async #remove(caller: Caller, rawUuid: unknown, waitMs: number): Promise<{ removed: boolean; note: string }> {
    this.requireAdmin(caller);
    const uuid = requireMdevUuid(rawUuid);
    const inst = this.ctx.host.mdevInstances().find((i) => i.uuid === uuid);
    if (!inst) throw new NotFoundError(`no mdev ${uuid}`, { mdev: uuid });
    const owner = inst.group !== null ? this.ctx.leases.ownerOf(inst.group) : undefined;
    if (owner) throw new PreconditionError(`mdev ${uuid} (group ${inst.group}) is leased (${owner.id}, uid ${owner.owner.uid}); release or revoke the lease first`, { mdev: uuid, lease: owner.id });
    const removed = await sysfsStep(() => this.ctx.host.removeMdev(uuid, waitMs));
    this.ctx.audit({ event: 'mdev-remove', rpc: 'RemoveMdev', who: who(caller), groups: inst.group !== null ? [inst.group] : [], reason: `${inst.type} on ${inst.parent}: ${uuid}${removed ? '' : ' (pending)'}` });
    return {
      removed,
      note: removed ? '' : `the kernel is still waiting for a process to close mdev ${uuid}; it is removed once that happens`,
    };
  }

  /**
   * Acquire of a type: check the caller may lease it, create an instance, then
   * acquire its group through the ordinary path, which hands the instance to the
   * lease. If anything fails before the lease owns it, the instance is removed.
   */
  async acquireType(caller: Caller, req: AcquireInput, acquireGroups: (r: AcquireInput) => Promise<Acquired>): Promise<Acquired> {
    this.ctx.sessions.authorize(req.sessionId, req.secret, caller);
    const type = requireMdevType(req.mdevType);
    if (req.groups.length || req.devices.length) throw new InvalidArgumentError('name an mdev type or groups and devices, not both');
    if (req.managed) throw new InvalidArgumentError('an mdev needs no driver binding: managed does not apply to an mdev type');
    const typeOnly = { id: -1, viable: true, viabilityReason: '', noiommu: false, devices: [{ name: 'new-mdev', bus: 'mdev', driver: 'mdev', bridge: false, cdev: null, mdevType: type }] };
    const decision = decideAcquire(this.ctx.policy(), caller, [typeOnly], req.mode, this.ctx.leases.countForUid(caller.uid));
    if (!decision.allowed) {
      throw decision.quota
        ? new QuotaError(`lease limit reached: ${decision.reason.replace('group -1', `mdev type ${type}`)}`, { uid: caller.uid })
        : new PermissionDeniedError(`denied by policy: ${decision.reason.replace('group -1', `mdev type ${type}`)}`, { uid: caller.uid, 'mdev-type': type });
    }
    const parent = this.pickParent(type, req.mdevParent);
    const uuid = randomUUID();
    const inst = this.createOn(parent, type, uuid);
    this.ctx.audit({ event: 'mdev-create', rpc: 'Acquire', who: who(caller), groups: inst.group !== null ? [inst.group] : [], reason: `${type} on ${parent}: ${uuid}` });
    const created = { uuid, adopted: false };
    try {
      if (inst.group === null) throw new InternalError(`mdev ${uuid} has no IOMMU group: its vendor driver did not register it with vfio`, { mdev: uuid });
      return await acquireGroups({ ...req, groups: [inst.group], devices: [], mdevType: undefined, created });
    } catch (e) {
      if (!created.adopted) this.ctx.removeMdev(uuid);
      throw e;
    }
  }

  /** The parent to create on: the named one, or the first offering the type with an instance left. */
  private pickParent(type: string, rawParent: unknown): string {
    const named = rawParent === undefined || rawParent === '' ? undefined : rawParent;
    if (named !== undefined && !isDeviceName(named)) throw new InvalidArgumentError(`invalid mdev parent ${quoted(named)}`);
    const offering = this.ctx.host.mdevParents().filter((p) => (named === undefined || p.name === named) && p.types.some((t) => t.id === type));
    if (offering.length === 0) {
      throw new NotFoundError(named === undefined ? `no mdev parent offers type ${type}` : `mdev parent ${named} does not exist or does not offer type ${type}`, { 'mdev-type': type });
    }
    const free = offering.find((p) => p.types.find((t) => t.id === type)!.availableInstances > 0);
    if (!free) {
      throw new QuotaError(`no instance of mdev type ${type} can be created: available_instances is 0 on ${offering.map((p) => p.name).join(', ')}`, { 'mdev-type': type });
    }
    return free.name;
  }

  private createOn(parent: string, type: string, uuid: string): MdevInstanceInfo {
    try {
      return sysfsStep(() => this.ctx.host.createMdev(parent, type, uuid));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = `creating mdev ${uuid} of type ${type} on ${parent}: ${(e as Error).message}`;
      if (code === 'ENOSPC' || code === 'EUSERS') throw new QuotaError(`no instance of mdev type ${type} left on ${parent} (${code}): ${why}`, { 'mdev-type': type });
      if (code === 'EEXIST') throw new GroupOwnedError(`an mdev ${uuid} already exists`, { mdev: uuid });
      if (code === 'EINVAL') throw new InvalidArgumentError(why);
      if (code === 'ENOENT' || code === 'ENODEV') throw new NotFoundError(why);
      throw e;
    }
  }

  private requireAdmin(caller: Caller): void {
    if (!isAdmin(this.ctx.policy(), caller)) throw new PermissionDeniedError(`uid ${caller.uid} is not root or in the admin group`, { uid: caller.uid });
  }
}

/** Remove an mdev without waiting (a lease ended): the kernel completes it once its fds are closed. */
export function removeMdevLater(ctx: ServiceContext, uuid: string): void {
  let p: Promise<boolean>;
  try {
    p = ctx.host.removeMdev(uuid, 60_000);
  } catch (e) {
    ctx.warn(`removing mdev ${uuid}: ${(e as Error).message}`);
    return;
  }
  p.then(
    (done) => { if (!done) ctx.warn(`mdev ${uuid}: removal still waits for a process to close the device`); },
    (e: Error) => ctx.warn(`removing mdev ${uuid}: ${e.message}`),
  );
}
