/**
 * Mediated devices with the fakes: the sysfs inventory (emulated-IOMMU groups vs
 * noiommu ones, the vendor driver as the vfio driver, parents/types/instances),
 * the policy's mdevTypes selector, and the service's create/remove and Acquire
 * of a type, including the instance's removal when the lease ends (also after a
 * restart).
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SysfsInventory } from '../../src/kernel/sysfs/inventory.js';
import { MdevSysfs } from '../../src/kernel/sysfs/mdev.js';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy, selectorMatchesGroup, type Policy } from '../../src/broker/policy.js';
import type { AuditRecord } from '../../src/broker/audit.js';
import type { Caller } from '../../src/broker/types.js';
import { modesOf } from '../../src/service/inventory-view.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const names = { user: () => undefined, group: () => undefined };

function tree(t: { teardown(fn: () => void): void }): { root: string; fake: FakeSysfs } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mdev-sysfs-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const fake = new FakeSysfs(root)
    .device({ name: '0000:00:03.0', group: 3, driver: 'vfio-pci', cdev: 'vfio0' })
    .mdevParent('mtty', 'mtty', [
      { id: 'mtty-1', name: 'Single port serial', available: 24 },
      { id: 'mtty-2', name: 'Dual port serial', available: 11, description: 'two ports' },
    ])
    .mdev(U1, { parent: 'mtty', type: 'mtty-2', group: 9, cdev: 'vfio1' });
  return { root, fake };
}

t.test('an mdev group is emulated-IOMMU, not noiommu, and its vendor driver makes it viable', async (t) => {
  const { root } = tree(t);
  const g = new SysfsInventory(root).readGroup(9);
  t.equal(g.noiommu, false, 'not noiommu although the kernel names it vfio-noiommu');
  t.equal(g.emulatedIommu, true);
  t.equal(g.devNode, '/dev/vfio/9', 'the node the kernel makes');
  t.equal(g.viable, true, g.viabilityReason);
  t.match(g.devices[0], { name: U1, bus: 'mdev', driver: 'mtty', cdev: 'vfio1', mdevType: 'mtty-2', mdevParent: 'mtty' });
  t.same(modesOf(g), ['legacy', 'iommufd'], 'legacy and iommufd');
  t.equal(new SysfsInventory(root).groupOfDevice(U1), 9, 'found through bus/mdev');
  t.equal(new SysfsInventory(root).readGroup(3).emulatedIommu, false);
});

t.test('real noiommu groups are still noiommu: by their class device, or without one when not mdev', async (t) => {
  const { root, fake } = tree(t);
  fake.group(2, { name: 'vfio-noiommu', reservedRegions: '' }).device({ name: '0000:00:02.0', group: 2, driver: 'vfio-pci' }).vfioClass(2, true);
  fake.group(5, { name: 'vfio-noiommu', reservedRegions: '' }).device({ name: '0000:00:05.0', group: 5, driver: 'vfio-pci' });
  const inv = new SysfsInventory(root);
  for (const id of [2, 5]) {
    const g = inv.readGroup(id);
    t.equal(g.noiommu, true, `group ${id} noiommu`);
    t.equal(g.emulatedIommu, false);
    t.equal(g.devNode, `/dev/vfio/noiommu-${id}`);
  }
  // No class device (an older or stripped tree): an mdev-only group is still emulated.
  fake.mdev(U2, { parent: 'mtty', type: 'mtty-1', group: 12, classDevice: false });
  t.equal(inv.readGroup(12).emulatedIommu, true);
});

t.test('an unbound mdev is not delivered; an mdev bound to anything on bus mdev is', async (t) => {
  const { root, fake } = tree(t);
  fake.mdev(U2, { parent: 'mtty', type: 'mtty-1', group: 12, driver: null });
  const g = new SysfsInventory(root).readGroup(12);
  t.equal(g.viable, true, 'unbound devices never spoil viability');
  t.same(modesOf(g), ['legacy'], 'but nothing is vfio-bound');
});

t.test('MdevSysfs lists parents, types and instances', async (t) => {
  const { root } = tree(t);
  const m = new MdevSysfs(root);
  const [p] = m.parents();
  t.equal(p.name, 'mtty');
  t.equal(p.driver, 'mtty');
  t.same(p.types.map((x) => [x.id, x.name, x.availableInstances, x.deviceApi, x.instances]), [
    ['mtty-1', 'Single port serial', 24, 'vfio-pci', []],
    ['mtty-2', 'Dual port serial', 11, 'vfio-pci', [U1]],
  ]);
  t.equal(p.types[1].description, 'two ports');
  t.same(m.instances(), [{ uuid: U1, type: 'mtty-2', parent: 'mtty', group: 9, driver: 'mtty' }]);
  m.create('mtty', 'mtty-1', U2);
  t.equal(fs.readFileSync(path.join(root, 'sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/create'), 'utf8'), U2, 'create gets the UUID');
  t.throws(() => m.create('mtty', '../x', U2), { name: 'InvalidNameError' });
  t.throws(() => m.create('mtty', 'mtty-9', U2), { name: 'NoSuchDeviceError' });
  t.throws(() => m.create('../..', 'mtty-1', U2), { name: 'InvalidNameError' });
  t.throws(() => m.remove('not-a-uuid', 10), { name: 'InvalidNameError' });
  t.equal(await m.remove(U1, 10_000), true, 'remove writes 1');
  t.equal(fs.readFileSync(path.join(root, `sys/bus/mdev/devices/${U1}/remove`), 'utf8').trim(), '1');
});

t.test('policy: mdevTypes selects instances of a type', async (t) => {
  const p = parsePolicy({ rules: [{ name: 'vgpu', uids: [1000], devices: { mdevTypes: ['nvidia-35', 'i915-GVTg_V5_4'] } }] }, names);
  const sel = p.rules[0].devices;
  const g = (type: string) => ({ id: 1, viable: true, viabilityReason: '', noiommu: false, devices: [{ name: U1, bus: 'mdev', driver: 'nvidia', bridge: false, cdev: null, mdevType: type }] });
  t.ok(selectorMatchesGroup(sel, g('nvidia-35')));
  t.ok(selectorMatchesGroup(sel, g('i915-GVTg_V5_4')), 'case as sysfs spells it');
  t.notOk(selectorMatchesGroup(sel, g('nvidia-36')));
  t.throws(() => parsePolicy({ rules: [{ name: 'x', uids: [1], devices: { mdevTypes: ['../x'] } }] }, names), /mdevTypes must be a list/);
});

const user = (pid: number, uid = 1000): Caller => ({ pid, uid, gid: uid, groups: [] });
const root = (pid: number): Caller => ({ pid, uid: 0, gid: 0, groups: [] });

function setup(policy: Policy = parsePolicy({ rules: [{ name: 'serial', uids: [1000], devices: { mdevTypes: ['mtty-2'] } }] }, names)) {
  const host = new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')])]);
  host.mdevParentList = [{ name: 'mtty', driver: 'mtty', types: [
    { id: 'mtty-1', name: 'Single port serial', description: '', availableInstances: 2, deviceApi: 'vfio-pci', instances: [] },
    { id: 'mtty-2', name: 'Dual port serial', description: '', availableInstances: 1, deviceApi: 'vfio-pci', instances: [] },
  ] }];
  const audits: AuditRecord[] = [];
  const warnings: string[] = [];
  const svc = new BrokerService({
    host, policy: () => policy, audit: (r) => audits.push(r), notify: () => {},
    deliver: async (_s, _r, items) => { for (const it of items) if (!it.keep) it.fd.close(); },
    observer: { warning: (m) => warnings.push(m) },
  });
  return { host, svc, audits, warnings };
}

const settle = () => new Promise((r) => setImmediate(r));

t.test('admin create and remove; refusals: not admin, nothing available, leased', async (t) => {
  const { host, svc } = setup();
  t.throws(() => svc.mdev.create(user(5), 'mtty', 'mtty-2', undefined), { status: 'PERMISSION_DENIED', message: /./ });
  t.throws(() => svc.mdev.create(root(1), 'mtty', '../x', undefined), { status: 'INVALID_ARGUMENT', message: /./ });
  t.throws(() => svc.mdev.create(root(1), 'nope', 'mtty-2', undefined), { status: 'NOT_FOUND', message: /./ });
  t.throws(() => svc.mdev.create(root(1), 'mtty', 'mtty-2', 'xyz'), { status: 'INVALID_ARGUMENT', message: /./ });
  const i = svc.mdev.create(root(1), undefined, 'mtty-2', U1.toUpperCase());
  t.match(i, { uuid: U1, type: 'mtty-2', parent: 'mtty', group: 100 }, 'a UUID is taken in any case, stored as the kernel prints it');
  t.throws(() => svc.mdev.create(root(1), 'mtty', 'mtty-2', undefined), { status: 'RESOURCE_EXHAUSTED', message: /available_instances is 0 on mtty/ });
  const g = svc.getGroup(100);
  t.same(g.modes, ['legacy', 'iommufd']);

  const s = svc.openSession(user(10));
  const a = await svc.acquire(user(10), { sessionId: s.id, secret: s.secret, groups: [100], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  t.same(a.delivered.filter((d) => d.role === 'device').map((d) => d.device), [U1], 'the mdev device fd by its UUID');
  await t.rejects(svc.mdev.remove(root(1), U1), { status: 'FAILED_PRECONDITION', message: /is leased/ });
  await t.rejects(svc.mdev.remove(user(5), U1), { status: 'PERMISSION_DENIED', message: /./ });
  svc.release(user(10), s.id, s.secret, a.lease.id);
  t.notOk(host.calls.includes(`mdev-remove ${U1}`), 'a lease of an existing instance leaves it in place');
  t.same(await svc.mdev.remove(root(1), U1), { removed: true, note: '' });
  await t.rejects(svc.mdev.remove(root(1), U1), { status: 'NOT_FOUND', message: /./ });
  host.mdevHeld.add(U2);
  svc.mdev.create(root(1), 'mtty', 'mtty-1', U2);
  const pending = await svc.mdev.remove(root(1), U2);
  t.equal(pending.removed, false);
  t.match(pending.note, /still waiting for a process to close/);
});

t.test('Acquire of a type: created for the lease, journalled on it, removed when it ends', async (t) => {
  const { host, svc, audits } = setup();
  const s = svc.openSession(user(10));
  const req = { sessionId: s.id, secret: s.secret, groups: [], devices: [], mode: 'legacy' as const, onlyRequested: false, managed: false };
  const a = await svc.acquire(user(10), { ...req, mdevType: 'mtty-2' });
  const uuid = a.lease.mdev!;
  t.ok(uuid, 'the lease names its mdev');
  t.same(a.lease.groups, [100]);
  t.same(a.delivered.filter((d) => d.role === 'device').map((d) => d.device), [uuid]);
  t.ok(svc.mdev.list().instances.some((i) => i.uuid === uuid && i.leaseOwned && i.owner?.id === a.lease.id), 'listed as owned by the lease');
  t.ok(audits.some((x) => x.event === 'mdev-create' && x.rpc === 'Acquire'));
  await t.rejects(svc.acquire(user(10), { ...req, mdevType: 'mtty-2' }), { status: 'RESOURCE_EXHAUSTED', message: /./ }, 'none left');
  await t.rejects(svc.acquire(user(10), { ...req, mdevType: 'mtty-1' }), { status: 'PERMISSION_DENIED', message: /mdev type mtty-1/ }, 'a type no rule covers');
  t.notOk(host.calls.some((c) => c.startsWith('mdev-create mtty mtty-1')), 'refused before anything is created');
  await t.rejects(svc.acquire(user(10), { ...req, groups: [1], mdevType: 'mtty-2' }), { status: 'INVALID_ARGUMENT', message: /./ });
  svc.release(user(10), s.id, s.secret, a.lease.id);
  await settle();
  t.ok(host.calls.includes(`mdev-remove ${uuid}`), 'removed at release');
  t.equal(host.mdevInstances().length, 0);
});

t.test('Acquire of a type that fails after creating removes the instance', async (t) => {
  const { host, svc } = setup();
  const s = svc.openSession(user(10));
  host.failNext = { step: 'openLegacy', errno: 'EPERM' };
  await t.rejects(svc.acquire(user(10), { sessionId: s.id, secret: s.secret, groups: [], devices: [], mode: 'legacy', onlyRequested: false, managed: false, mdevType: 'mtty-2' }), { status: 'FAILED_PRECONDITION', message: /./ });
  await settle();
  t.equal(host.calls.filter((c) => c.startsWith('mdev-remove')).length, 1, 'removed exactly once');
  t.equal(host.mdevInstances().length, 0);
  t.equal(svc.leases.size, 0);
});

t.test('after a restart: an orphan that expires, or whose owner is gone, takes its mdev with it', async (t) => {
  const { host, svc } = setup();
  const s = svc.openSession(user(10));
  const a = await svc.acquire(user(10), { sessionId: s.id, secret: s.secret, groups: [], devices: [], mode: 'legacy', onlyRequested: false, managed: false, mdevType: 'mtty-2' });
  const saved = { ...a.lease };
  svc.stop();
  t.notOk(host.calls.some((c) => c.startsWith('mdev-remove')), 'a stopping daemon leaves the instance to the lease');

  const next = setup();
  next.host.mdevParentList = host.mdevParentList;
  next.host.groups = host.groups;
  const r = next.svc.restore([saved], new Map());
  t.equal(r.restored.length, 1);
  next.svc.restoredAt = new Date(0);
  next.svc.expireOrphans(new Date());
  await settle();
  t.ok(next.host.calls.includes(`mdev-remove ${saved.mdev}`), 'expired orphan: removed');

  const third = setup();
  third.host.alive = () => false;
  third.svc.restore([{ ...saved, id: 'L-other' }], new Map());
  await settle();
  t.ok(third.host.calls.includes(`mdev-remove ${saved.mdev}`), 'owner gone at restore: removed');
});
