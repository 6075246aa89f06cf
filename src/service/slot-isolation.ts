/**
 * Slot isolation at acquire (policy `slotIsolation`): the groups a request names
 * grow by every group in or behind the same PCI slot (src/broker/slots.ts), and
 * each added group must be leasable as if it had been asked for. A refusal names
 * the sibling group, the slot they share, and why it cannot be taken.
 */
import type { HostGroup } from '../kernel/host.js';
import type { Caller, Mode } from '../broker/types.js';
import { PreconditionError } from '../broker/errors.js';
import { decideAcquire } from '../broker/policy.js';
import { slotSiblings } from '../broker/slots.js';
import type { ServiceContext } from './context.js';
import { checkUsable } from './inventory-view.js';

export function withSlotSiblings(ctx: ServiceContext, caller: Caller, asked: HostGroup[], mode: Mode, managed: boolean): HostGroup[] {
  // A group asked for that is already owned gets the usual refusal (ALREADY_EXISTS, with the owner) from the lease table.
  if (asked.some((g) => ctx.leases.ownerOf(g.id))) return asked;
  const all = ctx.host.scan();
  const siblings = slotSiblings(asked, all);
  if (siblings.length === 0) return asked;
  const byId = new Map(all.map((g) => [g.id, g]));
  for (const s of siblings) {
    const g = byId.get(s.group)!;
    const refuse = (why: string, extra: Record<string, string | number> = {}) => {
      throw new PreconditionError(
        `slot isolation: ${s.device} (group ${s.group}) shares PCI slot ${s.slot} with ${s.via}, so the lease must take group ${s.group} too, and it cannot: ${why}`,
        { group: asked.map((x) => x.id).join(','), sibling: s.group, slot: s.slot, ...extra },
      );
    };
    const owner = ctx.leases.ownerOf(s.group);
    if (owner) refuse(`it is leased (${owner.id}, uid ${owner.owner.uid}, pid ${owner.owner.pid})`, { lease: owner.id });
    try {
      checkUsable([g], mode, managed);
    } catch (e) {
      refuse((e as Error).message);
    }
    const d = decideAcquire(ctx.policy(), caller, [g], mode, 0, managed);
    if (!d.allowed) refuse(`the policy does not let uid ${caller.uid} lease it: ${d.reason}`);
  }
  return [...asked, ...siblings.map((s) => byId.get(s.group)!)].sort((a, b) => a.id - b.id);
}

