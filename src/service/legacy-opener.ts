/**
 * Legacy mode: one container (one IOMMU domain) with every group of the lease
 * attached, and a device fd per deliverable member. The daemon keeps the
 * container and group fds (in the lease's resources, and the fd store) so it
 * can mint device fds later and survive a restart.
 */
import type { HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import { deliverableDevices } from '../broker/policy.js';
import type { ServiceContext } from './context.js';
import type { LeaseOpener } from './lease-opener.js';
import type { LeaseResources } from './lease-resources.js';
import { closeUnkept, type DeliveryItem } from './types.js';
import { kernelStep } from './refusals.js';
import { watchDevice } from './device-watch.js';

export class LegacyOpener implements LeaseOpener {
  readonly mode = 'legacy' as const;
  constructor(private ctx: ServiceContext) {}

  open(_lease: Lease, groups: HostGroup[], only: Set<string> | undefined, res: LeaseResources): DeliveryItem[] {
    const { host } = this.ctx;
    const handles = kernelStep(host, groups, () => host.openLegacy(groups));
    res.adoptHandles(handles, false);
    const items: DeliveryItem[] = [{ fd: handles.container, role: 'container', keep: true }];
    for (const g of groups) items.push({ fd: handles.groups.get(g.id)!, role: 'group', group: g.id, keep: true });
    try {
      for (const g of groups) {
        for (const d of deliverableDevices(g, only)) {
          const fd = kernelStep(host, groups, () => host.deviceFd(handles.groups.get(g.id)!, d));
          items.push({ fd, role: 'device', group: g.id, device: d, keep: false });
          watchDevice(this.ctx, res, g.id, d, fd);
        }
      }
    } catch (e) {
      closeUnkept(items);
      throw e;
    }
    return items;
  }
}
