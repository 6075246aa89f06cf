/**
 * Slot isolation ("B:D" granularity): the functions of one PCI slot (same
 * domain:bus:device) may reach each other peer to peer inside the card, where
 * the IOMMU never sees it, even when the kernel put them in separate groups.
 * Under this option a lease takes, with the groups it names, every group with a
 * device in the same slot as one of its devices, or behind a function of such a
 * slot (a multifunction bridge: each function's downstream devices are part of
 * the card). Groups with no endpoint (bridges only, such as a root port's own
 * group) hand nothing out and are not taken. Pure: the service gives the groups.
 */
import type { GroupFacts } from './types.js';

const PCI_FUNCTION = /^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2})\.[0-7]$/i;

/** "0000:00:07" for "0000:00:07.1"; null for names that are not PCI functions. */
export function slotOf(name: string): string | null {
  const m = PCI_FUNCTION.exec(name);
  return m ? m[1].toLowerCase() : null;
}

/** The slots a device is in or behind: its own and those of every PCI device above it. */
export function slotsOf(d: { name: string; upstream?: string[] }): string[] {
  return [...(d.upstream ?? []), d.name].map(slotOf).filter((s): s is string => s !== null);
}

export interface SlotSibling {
  /** The group the lease must also take. */
  group: number;
  /** The slot it shares. */
  slot: string;
  /** Its device in (or behind) that slot. */
  device: string;
  /** The device of the lease (requested or already added) in (or behind) the same slot. */
  via: string;
}

const hasEndpoint = (g: GroupFacts) => g.devices.some((d) => !d.bridge && d.driver !== 'pcieport');

/**
 * The groups a lease of `requested` must also take, to a fixed point (a sibling's
 * own slots count too), in the order found. Empty when every slot is alone.
 */
export function slotSiblings(requested: GroupFacts[], all: GroupFacts[]): SlotSibling[] {
  const taken = new Set(requested.map((g) => g.id));
  /** slot → a device of the lease in or behind it. */
  const slots = new Map<string, string>();
  const addSlots = (g: GroupFacts) => { for (const d of g.devices) for (const s of slotsOf(d)) if (!slots.has(s)) slots.set(s, d.name); };
  requested.forEach(addSlots);
  const out: SlotSibling[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const g of all) {
      if (taken.has(g.id) || !hasEndpoint(g)) continue;
      const hit = g.devices.flatMap((d) => slotsOf(d).filter((s) => slots.has(s)).map((s) => ({ d, s })))[0];
      if (!hit) continue;
      taken.add(g.id);
      out.push({ group: g.id, slot: hit.s, device: hit.d.name, via: slots.get(hit.s)! });
      addSlots(g);
      changed = true;
    }
  }
  return out;
}
