/**
 * Driver binding: the admin Bind/Unbind of a group, and the binding a managed
 * lease does at acquire. The host-critical guard refuses to take a device the
 * host itself depends on (mounted filesystems, routed NICs) from its driver.
 */
import type { Host, HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import { NotFoundError, PreconditionError } from '../broker/errors.js';
import { kernelStep } from './refusals.js';
import type { LeaseResources } from './lease-resources.js';
import type { BindOutcome } from './types.js';

const members = (g: HostGroup) => g.devices.filter((d) => !d.bridge && d.driver !== 'pcieport');

export class Binder {
  /** Per group, the drivers Bind took devices from: Unbind undoes only that. */
  #bound = new Map<number, Map<string, string | null>>();

  constructor(private host: Host, private criticalOverride: Set<string> = new Set()) {}

  /** Every non-bridge member of the group onto vfio-pci. */
  bind(group: HostGroup): BindOutcome[] {
    const critical = this.host.criticalUses();
    const blocked = members(group).flatMap((d) => (this.criticalOverride.has(d.name) ? [] : (critical.get(d.name) ?? []).map((u) => `${d.name} ${u.reason}`)));
    if (blocked.length) {
      throw new PreconditionError(`refusing to take devices of group ${group.id} from their drivers: ${blocked.join('; ')} (override per device with "criticalOverride" in the daemon config)`, { group: group.id });
    }
    const record = this.#bound.get(group.id) ?? new Map<string, string | null>();
    this.#bound.set(group.id, record);
    const out: BindOutcome[] = [];
    for (const d of members(group)) {
      const r = kernelStep(this.host, [group], () => this.host.bindVfio(d.name));
      if (r.changed && !record.has(d.name)) record.set(d.name, r.fromDriver);
      out.push({ device: d.name, ...r });
    }
    return out;
  }

  /** Give each member back to the driver the kernel picks (the recorded one, normally). */
  restore(group: HostGroup): BindOutcome[] {
    const record = this.#bound.get(group.id);
    const out: BindOutcome[] = [];
    for (const d of members(group)) {
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
      out.push({ device: d.name, ...kernelStep(this.host, [group], () => this.host.restoreDriver(d.name, record?.get(d.name) ?? null)) });
    }
    this.#bound.delete(group.id);
    return out;
  }

  /** Restore a group by number, as the host sees it now (a managed lease ending). */
  restoreById(gid: number): void {
    const g = this.host.group(gid);
    if (g) this.restore(g);
  }

  /**
   * A managed lease: bind at acquire, recording each group in the lease's
   * resources first so that a failure half-way still gives the drivers back;
   * then re-read the groups and insist on viability.
   */
  bindForLease(lease: Lease, groups: HostGroup[], res: LeaseResources): HostGroup[] {
    for (const g of groups) {
      res.addBinding(g.id);
      this.bind(g);
    }
    return groups.map((g) => {
      const now = this.host.group(g.id);
      if (!now) throw new NotFoundError(`group ${g.id} disappeared while binding`, { group: g.id });
      if (!now.viable) throw new PreconditionError(`group ${g.id} is still not viable after binding: ${now.viabilityReason}`, { group: g.id, lease: lease.id });
      return now;
    });
  }
}
