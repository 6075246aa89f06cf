/**
 * Driver binding: the admin Bind/Unbind of a group, and the binding a managed
 * lease does at acquire. The host-critical guard refuses to take a device the
 * host itself depends on (mounted filesystems, routed NICs) from its driver.
 *
 * Every move runs off the event loop with a deadline (Host.bindVfio). One move
 * per group at a time: a second is refused (ABORTED) while one runs, and also
 * after its deadline passed, until the kernel let it finish (an unbind of a
 * device in use waits for its user to close it), so a device caught half-way is
 * neither moved again nor offered to a lease.
 */
import type { BindStep, Host, HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import { AbortedError, NotFoundError, PreconditionError } from '../broker/errors.js';
import { BindTimeoutError } from '../kernel/binding-runner.js';
import { kernelStepAsync } from './refusals.js';
import type { LeaseResources } from './lease-resources.js';
import type { BindOutcome } from './types.js';
import type { Caller } from '../broker/types.js';
import { who } from '../broker/audit.js';
import type { ServiceContext } from './context.js';
import type { GroupView } from './inventory-view.js';

const members = (g: HostGroup) => g.devices.filter((d) => !d.bridge && d.driver !== 'pcieport');

export class Binder {
  /** Per group, the drivers Bind took devices from: Unbind undoes only that. */
  #bound = new Map<number, Map<string, string | null>>();
  /** Groups with a driver move in progress (or past its deadline, still waiting in the kernel). */
  #busy = new Map<number, string>();

  constructor(private host: Host, private criticalOverride: Set<string> = new Set()) {}

  /** Refuse while a move of any of these groups has not finished. */
  assertIdle(groups: HostGroup[]): void {
    for (const g of groups) {
      const what = this.#busy.get(g.id);
      if (what) {
        throw new AbortedError(`group ${g.id} is in the middle of a driver move (${what}) that has not finished; try again once it has (the kernel completes it when the device's current user closes it)`, { group: g.id });
      }
    }
  }

  /** Every non-bridge member of the group onto vfio-pci. */
  async bind(group: HostGroup): Promise<BindOutcome[]> {
    const critical = this.host.criticalUses();
    const blocked = members(group).flatMap((d) => (this.criticalOverride.has(d.name) ? [] : (critical.get(d.name) ?? []).map((u) => `${d.name} ${u.reason}`)));
    if (blocked.length) {
      throw new PreconditionError(`refusing to take devices of group ${group.id} from their drivers: ${blocked.join('; ')} (override per device with "criticalOverride" in the daemon config)`, { group: group.id });
    }
    return this.exclusive(group, 'bind', async (step) => {
      const record = this.#bound.get(group.id) ?? new Map<string, string | null>();
      this.#bound.set(group.id, record);
      const out: BindOutcome[] = [];
      for (const d of members(group)) {
        const r = await step(() => this.host.bindVfio(d.name));
        if (r.changed && !record.has(d.name)) record.set(d.name, r.fromDriver);
        out.push({ device: d.name, ...r });
      }
      return out;
    });
  }

  /** Give each member back to the driver the kernel picks (the recorded one, normally). */
  restore(group: HostGroup): Promise<BindOutcome[]> {
    return this.exclusive(group, 'unbind', async (step) => {
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
        out.push({ device: d.name, ...(await step(() => this.host.restoreDriver(d.name, record?.get(d.name) ?? null))) });
      }
      this.#bound.delete(group.id);
      return out;
    });
  }

  /** Restore a group by number, as the host sees it now (a managed lease ending). */
  async restoreById(gid: number): Promise<void> {
    const g = this.host.group(gid);
    if (g) await this.restore(g);
  }

  /**
   * A managed lease: bind at acquire, recording each group in the lease's
   * resources first so that a failure half-way still gives the drivers back;
   * then re-read the groups and insist on viability.
   */
  async bindForLease(lease: Lease, groups: HostGroup[], res: LeaseResources): Promise<HostGroup[]> {
    for (const g of groups) {
      res.addBinding(g.id);
      await this.bind(g);
    }
    return groups.map((g) => {
      const now = this.host.group(g.id);
      if (!now) throw new NotFoundError(`group ${g.id} disappeared while binding`, { group: g.id });
      if (!now.viable) throw new PreconditionError(`group ${g.id} is still not viable after binding: ${now.viabilityReason}`, { group: g.id, lease: lease.id });
      return now;
    });
  }

  /** Run `fn` as the group's one move; a step past its deadline keeps the group busy until it ends. */
  private async exclusive<T>(group: HostGroup, what: string, fn: (step: (s: () => Promise<BindStep>) => Promise<BindStep>) => Promise<T>): Promise<T> {
    this.assertIdle([group]);
    this.#busy.set(group.id, what);
    const lingering: Promise<void>[] = [];
    const step = (s: () => Promise<BindStep>) => kernelStepAsync(this.host, [group], async () => {
      try {
        return await s();
      } catch (e) {
        if (e instanceof BindTimeoutError) lingering.push(e.finished);
        throw e;
      }
    });
    try {
      return await fn(step);
    } finally {
      if (!lingering.length) this.#busy.delete(group.id);
      else void Promise.all(lingering).then(() => this.#busy.delete(group.id));
    }
  }
}

/** Bind/Unbind as admin RPCs: only a group no lease holds is moved, and every move is audited. */
export async function auditedMove(ctx: ServiceContext, rpc: 'Bind' | 'Unbind', caller: Caller, view: GroupView, op: (g: HostGroup) => Promise<BindOutcome[]>): Promise<BindOutcome[]> {
  const { group, owner } = view;
  if (owner) throw new PreconditionError(`group ${group.id} is leased (${owner.id}); release it first`, { group: group.id, lease: owner.id });
  const res = await op(group);
  ctx.audit({ event: rpc === 'Bind' ? 'bind' : 'unbind', rpc, who: who(caller), groups: [group.id], reason: res.map((r) => `${r.device}:${r.fromDriver ?? '-'}->${r.toDriver ?? '-'}`).join(' ') });
  return res;
}
