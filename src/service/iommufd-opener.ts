/**
 * iommufd mode: /dev/iommu plus the unbound cdev of each device; the client
 * binds and attaches them itself. A bound cdev excludes the legacy group open
 * (and the other way round), so the daemon keeps no fd: the group stays reserved
 * by the lease table and the journal. A short probe open of the group first
 * proves that no stale holder has it.
 */
import type { HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import { deliverableDevices } from '../broker/policy.js';
import type { ServiceContext } from './context.js';
import type { LeaseOpener } from './lease-opener.js';
import { closeHandles } from './lease-resources.js';
import type { DeliveryItem } from './types.js';
import { kernelStep } from './refusals.js';

export class IommufdOpener implements LeaseOpener {
  readonly mode = 'iommufd' as const;
  constructor(private ctx: ServiceContext) {}

  open(_lease: Lease, groups: HostGroup[], only: Set<string> | undefined): DeliveryItem[] {
    const { host } = this.ctx;
    const items: DeliveryItem[] = [];
    try {
      closeHandles(kernelStep(host, groups, () => host.openLegacy(groups)));
      items.push({ fd: kernelStep(host, groups, () => host.openIommufd()), role: 'iommufd', keep: false });
      for (const g of groups) {
        for (const d of deliverableDevices(g, only)) {
          const dev = g.devices.find((x) => x.name === d)!;
          items.push({ fd: kernelStep(host, groups, () => host.openCdev(dev.cdev!)), role: 'cdev', group: g.id, device: d, keep: false });
        }
      }
      return items;
    } catch (e) {
      for (const it of items) it.fd.close();
      throw e;
    }
  }
}
