/**
 * From the broker's groups to the kubelet's devices: one device per IOMMU group,
 * pure so it is tested on plain data.
 *
 * The device ID is the PCI address of the group's first (lowest-named) non-bridge
 * member, not the group number: group numbers are handed out by the kernel in
 * probe order and can change when the kernel or firmware changes, a slot's address
 * does not. The kubelet checkpoints IDs across its own restarts, so they must not
 * move under it.
 */
import { selectorMatchesGroup } from '../protocol/device-selector.js';
import type { WireGroupOutput } from '../protocol/api-types.js';
import type { ResourceConfig } from './plugin-config.js';
import { HEALTHY, UNHEALTHY, type PluginDevice } from './kubelet-api.js';

/** One offered device: the kubelet's view plus what Allocate needs. */
export interface OfferedDevice {
  id: string;
  group: number;
  healthy: boolean;
  /** -1 when unknown. */
  numaNode: number;
  /** Why it is unhealthy (for logs). */
  reason: string;
}

export function deviceId(g: WireGroupOutput): string | null {
  const names = g.devices.filter((d) => !d.bridge).map((d) => d.name.toLowerCase()).sort();
  return names[0] ?? null;
}

function numaOf(g: WireGroupOutput): number {
  const nodes = g.devices.filter((d) => !d.bridge).map((d) => d.numa_node ?? -1).filter((n) => n >= 0);
  return nodes.length ? Math.min(...nodes) : -1;
}

function health(g: WireGroupOutput): { healthy: boolean; reason: string } {
  if (!g.viable) return { healthy: false, reason: g.viability_reason || 'group not viable' };
  // A claim (ours) keeps the device healthy whether or not it is leased yet; a lease
  // without a claim means someone outside Kubernetes holds it.
  if (g.owner && !g.claim_id) return { healthy: false, reason: `leased outside Kubernetes (${g.owner.lease_id})` };
  return { healthy: true, reason: '' };
}

/**
 * The devices of each resource. A group matching several resources goes to the
 * first in config order, so no group is ever offered twice. Devices seen before but
 * absent now (`previous`) stay listed as Unhealthy: the kubelet then stops giving
 * them out rather than forgetting pods that still hold them.
 */
export function offeredDevices(resources: ResourceConfig[], groups: WireGroupOutput[], previous = new Map<string, OfferedDevice[]>()): Map<string, OfferedDevice[]> {
  const out = new Map<string, OfferedDevice[]>();
  const taken = new Set<number>();
  for (const r of resources) {
    const list: OfferedDevice[] = [];
    for (const g of groups) {
      if (taken.has(g.id) || !selectorMatchesGroup(r.selector, g)) continue;
      const id = deviceId(g);
      if (id === null) continue;
      taken.add(g.id);
      list.push({ id, group: g.id, numaNode: numaOf(g), ...health(g) });
    }
    const now = new Set(list.map((d) => d.id));
    for (const d of previous.get(r.name) ?? []) if (!now.has(d.id)) list.push({ ...d, healthy: false, reason: 'removed' });
    list.sort((a, b) => a.id.localeCompare(b.id));
    out.set(r.name, list);
  }
  return out;
}

export function toPluginDevices(list: OfferedDevice[]): PluginDevice[] {
  return list.map((d) => ({
    ID: d.id,
    health: d.healthy ? HEALTHY : UNHEALTHY,
    topology: d.numaNode >= 0 ? { nodes: [{ ID: d.numaNode }] } : null,
  }));
}

/** Equal as the kubelet would see them (so unchanged lists are not resent). */
export function sameDevices(a: OfferedDevice[] | undefined, b: OfferedDevice[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d.id === b[i].id && d.healthy === b[i].healthy && d.numaNode === b[i].numaNode);
}
