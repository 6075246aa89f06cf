/**
 * The sysfs inventory against the real kernel: the topology the guest was
 * booted with (found independently, through test/guest/topology.ts) must come
 * out of SysfsInventory with the right groups, members, drivers and viability.
 * test/unit/sysfs-inventory.test.ts covers the same logic on a synthetic tree.
 */
import type { Test } from 'tap';
import { SysfsInventory } from '../../src/kernel/sysfs/inventory.js';
import { findTopology, idOf } from './topology.js';

export default async function (t: Test, variant: string) {
  const topo = findTopology();
  const inv = new SysfsInventory('/');
  const groups = inv.scanGroups();
  const byId = new Map(groups.map((g) => [g.id, g]));
  const groupOf = (bdf: string) => byId.get(topo.group(bdf));

  const alone = groupOf(topo.standaloneEdu)!;
  t.ok(alone, `standalone edu ${topo.standaloneEdu} has a group`);
  t.same(alone.devices.map((d) => d.name), [topo.standaloneEdu], 'alone in its group');
  t.equal(alone.viable, true, 'viable');
  t.match(alone.devices[0], { bus: 'pci', driver: 'vfio-pci', vendor: '0x1234', device: '0x11e8', iommuGroup: alone.id, bridge: false });
  t.equal(inv.groupOfDevice(topo.standaloneEdu), alone.id, 'device → group through its iommu_group link');

  if (variant === 'noiommu') {
    // Without an IOMMU only vfio-bound devices get a (fake) group, one each.
    t.equal(alone.noiommu, true, 'a noiommu group');
    t.equal(alone.devNode, `/dev/vfio/noiommu-${alone.id}`);
    t.equal(groupOf(topo.nonViable.rng), undefined, 'virtio-rng has no group without an IOMMU');
    return;
  }

  t.equal(alone.noiommu, false);
  t.equal(alone.devNode, `/dev/vfio/${alone.id}`);
  t.match(alone.type, /^DMA/, `group type ${alone.type}`);
  t.ok(alone.reservedRegions.some((r) => r.type === 'msi'), 'reserved_regions lists the MSI window');
  t.match(alone.devices[0].cdev, /^vfio\d+$/, `vfio cdev ${alone.devices[0].cdev}`);

  const shared = byId.get(topo.shared.group)!;
  t.same(shared.devices.map((d) => d.name).sort(), [topo.shared.bridge, topo.shared.edu, topo.shared.testdev].sort(),
    'bridge, edu and pci-testdev share one group');
  t.equal(shared.viable, true, 'viable with both on vfio-pci and the bridge driverless');
  t.equal(shared.devices.find((d) => d.name === topo.shared.bridge)!.bridge, true, 'the PCIe-to-PCI bridge is recognised');
  t.equal(idOf(topo.shared.testdev), '0x1b36:0x0005');

  const nv = byId.get(topo.nonViable.group)!;
  t.equal(nv.viable, false, 'the virtio-rng group is not viable');
  t.equal(nv.viabilityReason, `${topo.nonViable.rng} is bound to virtio-pci (not a vfio driver)`, 'the reason names virtio-rng and its driver');

  for (const g of groups) {
    for (const d of g.devices) t.equal(d.iommuGroup, g.id, `${d.name}'s iommu_group link agrees with its directory`);
  }
}
