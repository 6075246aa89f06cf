import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { SysfsInventory, parseReservedRegions, driverAllowsUserOwnership } from '../../src/kernel/sysfs/inventory.js';
import { checkDeviceName, checkGroupId } from '../../src/kernel/sysfs/names.js';
import { InvalidNameError, NoSuchDeviceError, NoSuchGroupError } from '../../src/kernel/sysfs/errors.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

t.test('the guest topology, read from a synthetic tree', async (t) => {
  const root = t.testdir();
  FakeSysfs.guestLike(root);
  const inv = new SysfsInventory(root);
  t.same(inv.groupIds(), [3, 4, 6, 7, 8]);
  const byId = new Map(inv.scanGroups().map((g) => [g.id, g]));

  const alone = byId.get(3)!;
  t.same(alone.devices.map((d) => d.name), ['0000:00:03.0']);
  t.equal(alone.viable, true);
  t.equal(alone.viabilityReason, '');
  t.equal(alone.devNode, '/dev/vfio/3');
  t.equal(alone.type, 'DMA');
  t.same(alone.reservedRegions, [{ start: '0x00000000fee00000', end: '0x00000000feefffff', type: 'msi' }]);
  t.match(alone.devices[0], { bus: 'pci', driver: 'vfio-pci', vendor: '0x1234', device: '0x11e8', class: '0x00ff00', cdev: 'vfio0', iommuGroup: 3, bridge: false, driverOverride: null });

  const shared = byId.get(7)!;
  t.same(shared.devices.map((d) => d.name), ['0000:01:00.0', '0000:02:01.0', '0000:02:02.0'], 'bridge, edu and testdev share a group');
  t.equal(shared.viable, true, 'the unbound bridge does not spoil viability');
  t.equal(shared.devices[0].bridge, true);
  t.equal(shared.devices[0].driver, null);
  t.equal(shared.devices[2].device, '0x0005');

  const nonViable = byId.get(8)!;
  t.equal(nonViable.viable, false);
  t.equal(nonViable.viabilityReason, '0000:04:02.0 is bound to virtio-pci (not a vfio driver)', 'names the offending device and its driver');

  t.equal(byId.get(4)!.viable, true, 'a root port on pcieport is viable (driver_managed_dma)');
});

t.test('viability follows binding, and unbound devices count as safe', async (t) => {
  const root = t.testdir();
  const fake = new FakeSysfs(root)
    .device({ name: '0000:05:00.0', group: 11, driver: 'e1000e' })
    .device({ name: '0000:05:00.1', group: 11, driver: 'e1000e' });
  const inv = new SysfsInventory(root);
  t.equal(inv.getGroup(11).viable, false);
  t.match(inv.getGroup(11).viabilityReason, /0000:05:00.0 is bound to e1000e.*; 0000:05:00.1 is bound to e1000e/);
  fake.bind('0000:05:00.0', 'vfio-pci');
  t.match(inv.getGroup(11).viabilityReason, /^0000:05:00.1 is bound to e1000e/);
  fake.bind('0000:05:00.1', null);
  t.equal(inv.getGroup(11).viable, true, 'no driver at all is as good as vfio');
  fake.bind('0000:05:00.1', 'pci-stub');
  t.equal(inv.getGroup(11).viable, true, 'pci-stub never does DMA');
  for (const d of [null, 'vfio-pci', 'vfio-platform', 'pci-stub', 'pcieport']) t.ok(driverAllowsUserOwnership(d), String(d));
  for (const d of ['nvme', 'virtio-pci', 'e1000e', 'xhci_hcd']) t.notOk(driverAllowsUserOwnership(d), d);
});

t.test('platform devices are covered: the inventory is bus-agnostic', async (t) => {
  const root = t.testdir();
  new FakeSysfs(root).device({ name: 'fff51000.ethernet', bus: 'platform', group: 0, driver: 'vfio-platform', cdev: 'vfio7' });
  const inv = new SysfsInventory(root);
  const [g] = inv.scanGroups();
  t.equal(g.id, 0);
  t.equal(g.viable, true);
  t.match(g.devices[0], { name: 'fff51000.ethernet', bus: 'platform', driver: 'vfio-platform', cdev: 'vfio7', bridge: false });
  t.equal(g.devices[0].vendor, undefined, 'no PCI attributes invented');
  t.equal(inv.groupOfDevice('fff51000.ethernet'), 0);
});

t.test('noiommu groups, driver_override and NUMA', async (t) => {
  const root = t.testdir();
  new FakeSysfs(root).group(2, { name: 'vfio-noiommu', reservedRegions: '' })
    .device({ name: '0000:00:02.0', group: 2, driver: 'vfio-pci', driverOverride: 'vfio-pci', numaNode: 1 });
  const g = new SysfsInventory(root).getGroup(2);
  t.equal(g.noiommu, true);
  t.equal(g.devNode, '/dev/vfio/noiommu-2');
  t.same(g.reservedRegions, []);
  t.equal(g.devices[0].driverOverride, 'vfio-pci');
  t.equal(g.devices[0].numaNode, 1);
});

t.test('device to group through the iommu_group link', async (t) => {
  const root = t.testdir();
  FakeSysfs.guestLike(root);
  const inv = new SysfsInventory(root);
  t.equal(inv.groupOfDevice('0000:02:02.0'), 7);
  t.throws(() => inv.groupOfDevice('0000:09:00.0'), NoSuchDeviceError);
  t.throws(() => inv.getGroup(99), NoSuchGroupError);
});

t.test('an empty or missing tree is an empty inventory', async (t) => {
  t.same(new SysfsInventory(t.testdir()).scanGroups(), []);
  const root = t.testdir();
  fs.mkdirSync(path.join(root, 'sys/kernel/iommu_groups/5'), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/kernel/iommu_groups/not-a-group'), { recursive: true });
  const [g] = new SysfsInventory(root).scanGroups();
  t.match(g, { id: 5, devices: [], viable: true, type: null, reservedRegions: [] }, 'a group vanishing mid-read is read as empty, not a crash');
});

t.test('hostile names never become paths outside the sysfs root', async (t) => {
  const root = t.testdir();
  FakeSysfs.guestLike(root);
  // A decoy outside the root that a traversal would find.
  const outside = path.join(root, '..', 'decoy-sys');
  fs.mkdirSync(path.join(outside, 'sys/kernel/iommu_groups/1/devices'), { recursive: true });
  t.teardown(() => fs.rmSync(outside, { recursive: true, force: true }));
  const inv = new SysfsInventory(root);
  const groupIds = ['../1', '1/..', '..', '3/../7', '-1', '01', '1.0', '1e3', ' 3', '3\n', '3\0', '', '0x3', 4294967296, -1, 1.5, NaN, null, undefined, {}, ['3']];
  for (const g of groupIds) t.throws(() => inv.getGroup(g), InvalidNameError, `group ${JSON.stringify(String(g))}`);
  const devices = ['../0000:00:03.0', '0000:00:03.0/../..', '..', '.', '0000:00:03.0\0', 'a/b', '/etc/passwd', '', 'x'.repeat(65), 3, null];
  for (const d of devices) t.throws(() => inv.groupOfDevice(d), InvalidNameError, `device ${JSON.stringify(String(d))}`);
  t.equal(checkGroupId('0'), 0);
  t.equal(checkGroupId(4294967295), 4294967295);
  t.equal(checkDeviceName('0000:00:03.0'), '0000:00:03.0');
  t.equal(inv.getGroup('3').id, 3, 'a decimal string is a group id');
});

t.test('reserved_regions parsing ignores junk lines', async (t) => {
  t.same(parseReservedRegions('0x0 0xfff direct\n\ngarbage\n0x1000 0x1fff msi extra'), [
    { start: '0x0', end: '0xfff', type: 'direct' },
    { start: '0x1000', end: '0x1fff', type: 'msi' },
  ]);
});
