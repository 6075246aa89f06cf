/**
 * An admin's change of an IOMMU group's default domain type (DMA, DMA-FQ,
 * identity, auto), and its undoing. The kernel allows it only while no driver
 * is bound to any device of the group; the broker also refuses while the group
 * is leased, and says which device and driver stand in the way. The type found
 * before the broker's first change is remembered (in memory, for this daemon's
 * lifetime) until `restore` puts it back, even if set back by hand meanwhile.
 */
import type { Caller } from '../broker/types.js';
import { InvalidArgumentError, PreconditionError } from '../broker/errors.js';
import { who } from '../broker/audit.js';
import { isWritableGroupType, WRITABLE_GROUP_TYPES, type GroupType } from '../kernel/sysfs/group-type.js';
import type { ServiceContext } from './context.js';
import type { RpcGuard } from './guard.js';
import { findGroup } from './inventory-view.js';
import { kernelStep } from './refusals.js';

export interface GroupTypeOutcome {
  group: number;
  /** The type before this call. */
  previous: string;
  /** The type the kernel shows now. */
  type: string;
  /** The type before the broker's first change, while a change is outstanding; '' once restored. */
  original: string;
  restored: boolean;
}

export class GroupTypes {
  #original = new Map<number, string>();

  constructor(private ctx: ServiceContext, private guard: RpcGuard, private requireAdmin: (c: Caller) => void) {}

  /** The groups whose type the broker changed, with the type each had before. */
  changed(): Map<number, string> {
    return new Map(this.#original);
  }

  set(caller: Caller, rawGroup: unknown, rawType: unknown, restore: boolean): GroupTypeOutcome {
    return this.guard.runSync('SetGroupType', caller, () => {
      this.requireAdmin(caller);
      const { group, owner } = findGroup(this.ctx.host, this.ctx.leases, rawGroup);
      const id = group.id;
      const target = restore ? this.restoreTarget(id) : this.checkType(rawType);
      if (owner) {
        throw new PreconditionError(`group ${id} is leased (${owner.id}, uid ${owner.owner.uid}, pid ${owner.owner.pid}): its IOMMU type can change only once the lease ends`, { group: id, lease: owner.id });
      }
      const bound = group.devices.filter((d) => d.driver);
      if (bound.length) {
        throw new PreconditionError(
          `group ${id} has a driver bound: ${bound.map((d) => `${d.name} is bound to ${d.driver}`).join('; ')}. The kernel changes a group's IOMMU type only while no device of it has a driver: unbind ${bound.length === 1 ? 'it' : 'them'} first`,
          { group: id, device: bound[0].name, driver: bound[0].driver ?? '' },
        );
      }
      const previous = group.type ?? '';
      if (!restore && !this.#original.has(id)) {
        if (!isWritableGroupType(previous)) throw new PreconditionError(`group ${id} has type "${previous}", which could not be restored afterwards; refusing to change it`, { group: id, type: previous });
      }
      const now = kernelStep(this.ctx.host, [group], () => this.ctx.host.setGroupType(id, target));
      if (restore) this.#original.delete(id);
      else if (!this.#original.has(id)) this.#original.set(id, previous);
      this.ctx.audit({ event: 'group-type', rpc: 'SetGroupType', who: who(caller), groups: [id], reason: `${previous} -> ${now}${restore ? ' (restore)' : ''}` });
      return { group: id, previous, type: now, original: this.#original.get(id) ?? '', restored: restore };
    });
  }

  private checkType(raw: unknown): GroupType {
    if (!isWritableGroupType(raw)) {
      throw new InvalidArgumentError(`IOMMU group type must be one of ${WRITABLE_GROUP_TYPES.join(', ')} (got ${JSON.stringify(String(raw ?? '')).slice(0, 40)})`);
    }
    return raw;
  }

  private restoreTarget(id: number): GroupType {
    const orig = this.#original.get(id);
    if (orig === undefined) throw new PreconditionError(`group ${id}: the broker has not changed its IOMMU type (since this daemon started), so there is nothing to restore`, { group: id });
    return orig as GroupType;
  }
}
