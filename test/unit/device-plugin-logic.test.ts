/** The device plugin's pure parts: config, the device list, NUMA preference, owner refs. */
import t from 'tap';
import { parsePluginConfig, PluginConfigError, DEFAULTS } from '../../src/k8s/plugin-config.js';
import { deviceId, offeredDevices, toPluginDevices } from '../../src/k8s/device-list.js';
import { preferredAllocation } from '../../src/k8s/preferred.js';
import { ownerRef, parseOwnerRef } from '../../src/k8s/claims.js';
import { endpointName } from '../../src/k8s/resource-endpoint.js';
import { groupPrefilters } from '../../src/k8s/group-prefilter.js';
import { fakeGroup } from '../fixtures/fake-broker.js';

t.test('config: defaults, and every mistake reported at once', async (t) => {
  const c = parsePluginConfig({ resources: [{ name: 'vfio-broker.io/edu', devices: { vendorDevice: ['1234:11e8'] } }] });
  t.equal(c.devicePluginDir, '/var/lib/kubelet/device-plugins');
  t.equal(c.podResourcesSocket, '/var/lib/kubelet/pod-resources/kubelet.sock');
  t.equal(c.apiSocket, DEFAULTS.apiSocket);
  t.same(c.resources[0], { name: 'vfio-broker.io/edu', selector: { devices: undefined, vendorDevice: ['1234:11e8'], classes: undefined }, mode: 'legacy' });
  try {
    parsePluginConfig({ resources: [{ name: 'edu', devices: { vendorDevice: ['xyz'] } }, { name: 'a.io/b', devices: { colour: 1 }, mode: 'vfio' }], stateDir: 'rel', bogus: 1 });
    t.fail('should throw');
  } catch (e) {
    t.ok(e instanceof PluginConfigError);
    t.same((e as PluginConfigError).problems.length, 5, (e as Error).message);
  }
  t.throws(() => parsePluginConfig({ resources: [] }), /non-empty/);
});

t.test('device list: one device per group, ID the first member address, health and NUMA', async (t) => {
  const resources = parsePluginConfig({ resources: [
    { name: 'a.io/edu', devices: { vendorDevice: ['1234:*'] } },
    { name: 'a.io/all', devices: { any: true } },
  ] }).resources;
  const two = fakeGroup(7, '0000:00:09.0', { numa: 1 });
  two.devices.unshift({ ...two.devices[0], name: '0000:00:08.0', bridge: true });
  two.devices.push({ ...two.devices[0], name: '0000:00:07.1', bridge: false });
  t.equal(deviceId(two), '0000:00:07.1', 'lowest non-bridge member');
  const groups = [fakeGroup(3, '0000:00:03.0', { numa: 0 }), two, fakeGroup(4, '0000:00:04.0', { vendor: '0x8086', viable: false })];
  const out = offeredDevices(resources, groups);
  t.same(out.get('a.io/edu')!.map((d) => [d.id, d.group, d.healthy, d.numaNode]), [['0000:00:03.0', 3, true, 0], ['0000:00:07.1', 7, true, 1]]);
  t.same(out.get('a.io/all')!.map((d) => [d.id, d.healthy]), [['0000:00:04.0', false]], 'a group goes to the first matching resource only');
  const later = offeredDevices(resources, groups.slice(1), out);
  t.same(later.get('a.io/edu')!.map((d) => [d.id, d.healthy, d.reason]), [['0000:00:03.0', false, 'removed'], ['0000:00:07.1', true, '']]);
  t.same(toPluginDevices(out.get('a.io/edu')!), [
    { ID: '0000:00:03.0', health: 'Healthy', topology: { nodes: [{ ID: 0 }] } },
    { ID: '0000:00:07.1', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
  ]);
  t.same(toPluginDevices(out.get('a.io/all')!)[0].topology, null, 'no NUMA node: no topology');
});

t.test('preferred allocation keeps to one NUMA node where it can', async (t) => {
  const numa: Record<string, number> = { a: 0, b: 1, c: 1, d: 0, e: 1, f: -1 };
  const n = (id: string) => numa[id];
  t.same(preferredAllocation(['a', 'b', 'c', 'd', 'e'], [], 2, n), ['b', 'c'], 'the fuller node');
  t.same(preferredAllocation(['a', 'b', 'c', 'd'], ['a'], 2, n), ['a', 'd'], 'the must-include device\'s node');
  t.same(preferredAllocation(['a', 'b', 'c', 'd', 'e'], [], 3, n), ['b', 'c', 'e']);
  t.same(preferredAllocation(['a', 'b', 'd', 'f'], [], 3, n), ['a', 'd', 'b'], 'spilling over when no node fits');
  t.same(preferredAllocation(['a', 'b'], ['b', 'a'], 1, n), ['b']);
});

t.test('owner refs name the resource and the device ids', async (t) => {
  const ref = ownerRef('vfio-broker.io/edu', ['0000:00:05.0', '0000:00:04.0']);
  t.equal(ref, 'k8s-device-plugin:vfio-broker.io/edu=0000:00:04.0,0000:00:05.0');
  t.same(parseOwnerRef(ref), { resource: 'vfio-broker.io/edu', ids: ['0000:00:04.0', '0000:00:05.0'] });
  t.equal(parseOwnerRef('someone-else'), null);
  t.equal(endpointName('vfio-broker.io/edu'), 'vfio-broker-vfio-broker.io_edu.sock');
});

t.test('the broker puts each device\'s NUMA node on the wire (Device.numa_node, -1 when sysfs has none)', async (t) => {
  const { group } = await import('../../src/api/wire.js');
  const dev = { name: '0000:00:03.0', bus: 'pci', driver: 'vfio-pci', driverOverride: null, vendor: '0x1234', device: '0x11e8', class: '0x00ff00', bridge: false, cdev: 'vfio0' };
  const hostGroup = {
    id: 3, viable: true, viabilityReason: '', noiommu: false, emulatedIommu: false, type: 'DMA', reservedRegions: [], devNode: '/dev/vfio/3',
    devices: [{ ...dev, numaNode: 1 }, { ...dev, name: '0000:00:04.0' }],
  };
  const wire = group({ group: hostGroup, modes: ['legacy'] });
  t.same(wire.devices!.map((d) => d.numa_node), [1, -1]);
});

t.test('ListGroups prefilters: the union of vendor:device and class queries, or the whole list', async (t) => {
  t.same(groupPrefilters([{ vendorDevice: ['1234:11e8', '8086:*'] }, { classes: ['0x0200'], vendorDevice: ['1234:11e8'] }]),
    [{ vendor_device: '1234:11e8' }, { vendor_device: '8086:' }, { class: '0x0200' }]);
  t.equal(groupPrefilters([{ vendorDevice: ['1234:11e8'] }, { any: true }]), null, 'any: every group');
  t.equal(groupPrefilters([{ groups: [3] }]), null, 'groups by number: every group');
  t.equal(groupPrefilters([{ devices: ['0000:00:03.0'] }]), null, 'devices by name: every group');
  t.equal(groupPrefilters([{ mdevTypes: ['mtty-2'] }]), null, 'mdev types: every group');
});
