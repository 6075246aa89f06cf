/**
 * Fresh device fds for an existing legacy lease, through the group fds the
 * daemon holds: the owner's OpenDevice and a grantee's Redeem. Every fd minted
 * is audited like the ones Acquire hands out.
 */
import type { Lease } from '../broker/lease-table.js';
import type { Caller } from '../broker/types.js';
import { NotFoundError, PreconditionError } from '../broker/errors.js';
import { who } from '../broker/audit.js';
import type { ServiceContext } from './context.js';
import { groupsOf, leaseDevices } from './inventory-view.js';
import { kernelStep } from './refusals.js';
import { watchDevice } from './device-watch.js';
import { closeUnkept, describeItems, type Delivered, type DeliveryItem } from './types.js';
import { newId } from './ids.js';

export interface Minted { requestId: string; delivered: Delivered[] }

export async function mint(
  ctx: ServiceContext, rpc: string, caller: Caller, lease: Lease, sessionId: string, devices: string[], withGroups: Set<number> | null,
): Promise<Minted> {
  const res = ctx.resources.get(lease.id);
  const handles = res?.handles;
  if (!res || !handles) throw new PreconditionError(`lease ${lease.id} has no group fd in the daemon (mode ${lease.mode}): device fds can only be minted for legacy leases`);
  const allowed = new Set(leaseDevices(ctx.host, lease));
  const items: DeliveryItem[] = [];
  // The container, and only the groups named: a grant for one device opens no other group.
  if (withGroups) {
    items.push({ fd: handles.container, role: 'container', keep: true });
    for (const [g, fd] of handles.groups) if (withGroups.has(g)) items.push({ fd, role: 'group', group: g, keep: true });
  }
  const groups = groupsOf(ctx.host, lease);
  try {
    for (const d of devices) {
      if (!allowed.has(d)) throw new NotFoundError(`device ${d} is not a vfio-bound member of lease ${lease.id}`, { device: d, lease: lease.id });
      const g = groups.find((x) => x.devices.some((m) => m.name === d))!;
      const fd = kernelStep(ctx.host, groups, () => ctx.host.deviceFd(handles.groups.get(g.id)!, d));
      items.push({ fd, role: 'device', group: g.id, device: d, keep: false });
      watchDevice(ctx, res, g.id, d, fd);
    }
    const requestId = newId('R-', 4);
    await ctx.deliver(sessionId, requestId, items);
    ctx.leases.assertLive(lease);
    const delivered = describeItems(items);
    ctx.audit({ event: 'grant', rpc, who: who(caller), lease: lease.id, groups: lease.groups, fds: delivered, rule: lease.rule });
    return { requestId, delivered };
  } catch (e) {
    closeUnkept(items);
    throw e;
  }
}
