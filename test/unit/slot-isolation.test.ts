/**
 * Slot isolation: the pure expansion (src/broker/slots.ts) and the service's
 * acquire with `slotIsolation` on a fake sysfs tree read by the real inventory:
 * a multifunction slot whose functions (two root ports, as in the test guest)
 * sit in separate groups, each with an edu behind it in a group of its own.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slotOf, slotsOf, slotSiblings } from '../../src/broker/slots.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { PreconditionError } from '../../src/broker/errors.js';
import type { Caller } from '../../src/broker/types.js';
import { BrokerService } from '../../src/service/broker-service.js';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const names = { user: () => undefined, group: () => undefined };
const user: Caller = { pid: 10, uid: 1000, gid: 1000, groups: [] };
const other: Caller = { pid: 11, uid: 1001, gid: 1001, groups: [] };

t.test('slotOf / slotsOf', async (t) => {
  t.equal(slotOf('0000:00:07.1'), '0000:00:07');
  t.equal(slotOf('0000:AB:1f.7'), '0000:ab:1f');
  t.equal(slotOf('mdev-uuid'), null);
  t.same(slotsOf({ name: '0000:05:00.0', upstream: ['0000:00:07.0'] }), ['0000:00:07', '0000:05:00']);
  t.same(slotsOf({ name: '0000:00:03.0' }), ['0000:00:03']);
});

t.test('slotSiblings: same slot, behind a multifunction bridge, transitive; bridge-only groups are not taken', async (t) => {
  const rp = (name: string, id: number) => group(id, [{ name, bus: 'pci', driver: 'pcieport', driverOverride: null, bridge: true, cdev: null }]);
  const behind = (name: string, id: number, up: string[]) => group(id, [{ ...edu(name), upstream: up }]);
  const all = [
    group(3, [edu('0000:00:03.0')]),
    rp('0000:00:07.0', 10), rp('0000:00:07.1', 11),
    behind('0000:05:00.0', 12, ['0000:00:07.0']),
    behind('0000:06:00.0', 13, ['0000:00:07.1']),
    group(20, [edu('0000:00:08.0')]), group(21, [edu('0000:00:08.1')]),
    group(22, [{ ...edu('0000:07:00.0'), upstream: ['0000:00:09.0'] }, { ...edu('0000:07:00.1'), upstream: ['0000:00:09.0'] }]),
  ];
  const by = (id: number) => all.find((g) => g.id === id)!;
  t.same(slotSiblings([by(3)], all), [], 'a single-function slot adds nothing');
  t.same(slotSiblings([by(12)], all), [{ group: 13, slot: '0000:00:07', device: '0000:06:00.0', via: '0000:05:00.0' }], 'the edu behind the other function of slot 00:07');
  t.same(slotSiblings([by(20)], all), [{ group: 21, slot: '0000:00:08', device: '0000:00:08.1', via: '0000:00:08.0' }], 'two endpoint functions in separate groups');
  t.same(slotSiblings([by(22)], all), [], 'functions already in one group');
  t.same(slotSiblings([by(12), by(13)], all), [], 'both asked for');
  // Transitive: a sibling's own slot pulls in its siblings.
  const chain = [...all, group(30, [{ ...edu('0000:06:00.1'), upstream: ['0000:00:07.1'] }])];
  t.same(slotSiblings([by(12)], chain).map((s) => s.group), [13, 30]);
});

function guestSlot(dir: string): FakeSysfs {
  return new FakeSysfs(dir)
    .device({ name: '0000:00:03.0', group: 3, driver: 'vfio-pci', cdev: 'vfio0' })
    .device({ name: '0000:00:07.0', group: 10, driver: 'pcieport', class: '0x060400', vendor: '0x1b36', device: '0x000c' })
    .device({ name: '0000:00:07.1', group: 11, driver: 'pcieport', class: '0x060400', vendor: '0x1b36', device: '0x000c' })
    .device({ name: '0000:05:00.0', parent: 'pci0000:00/0000:00:07.0', group: 12, driver: 'vfio-pci', cdev: 'vfio1' })
    .device({ name: '0000:06:00.0', parent: 'pci0000:00/0000:00:07.1', group: 13, driver: 'vfio-pci', cdev: 'vfio2' });
}

async function setup(t: Test, policyDoc: object) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-slot-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sysfs = guestSlot(dir);
  const real = new VfioHost(dir);
  await real.ready();
  // The real inventory's groups (with their upstream paths), in a Host whose fds are fake.
  const host = new FakeHost(real.scan());
  let policy = parsePolicy(policyDoc, names);
  const setPolicy = (doc: object) => { policy = parsePolicy(doc, names); };
  const svc = new BrokerService({ host, policy: () => policy, audit: () => {}, deliver: async (_s, _r, items) => { for (const i of items) if (!i.keep) i.fd.close(); }, notify: () => {} });
  const acquire = async (c: Caller, devices: string[]) => {
    const s = svc.openSession(c);
    return svc.acquire(c, { sessionId: s.id, secret: s.secret, groups: [], devices, mode: 'legacy', onlyRequested: false, managed: false });
  };
  return { sysfs, real, host, svc, acquire, setPolicy };
}

const rules = [{ name: 'u', uids: [1000, 1001], devices: { vendorDevice: ['1234:11e8'] } }];

t.test('the inventory reads each device\'s upstream path from sysfs', async (t) => {
  const { real } = await setup(t, { rules });
  const dev = (n: string) => real.scan().flatMap((g) => g.devices).find((d) => d.name === n)!;
  t.same(dev('0000:05:00.0').upstream, ['0000:00:07.0']);
  t.same(dev('0000:00:07.1').upstream, []);
});

t.test('off (the default): a lease takes only its own group', async (t) => {
  const { acquire } = await setup(t, { rules });
  t.same((await acquire(user, ['0000:05:00.0'])).lease.groups, [12]);
});

t.test('on: leasing the edu behind 00:07.0 takes the group behind 00:07.1 too; devices of both are delivered', async (t) => {
  const { acquire } = await setup(t, { rules, slotIsolation: true });
  const a = await acquire(user, ['0000:05:00.0']);
  t.same(a.lease.groups, [12, 13]);
  t.same(a.delivered.filter((d) => d.role === 'device').map((d) => d.device).sort(), ['0000:05:00.0', '0000:06:00.0']);
  t.same((await acquire(user, ['0000:00:03.0'])).lease.groups, [3], 'a single-function slot is unaffected');

  const e = await acquire(other, ['0000:06:00.0']).then(() => null, (x) => x) as Error & { status: string };
  t.match(e, { status: 'ALREADY_EXISTS' }, 'the other function is held by the first lease: the usual refusal naming the owner');
});

t.test('on: refused, naming the sibling group and why: leased, not viable, outside the policy', async (t) => {
  const { acquire, sysfs, real, host, setPolicy } = await setup(t, { rules });
  // Leased while the option was off; then the operator turns it on.
  const held = await acquire(other, ['0000:06:00.0']);
  t.same(held.lease.groups, [13]);
  setPolicy({ rules, slotIsolation: true });
  const e = await acquire(user, ['0000:05:00.0']).then(() => null, (x) => x) as PreconditionError;
  t.ok(e instanceof PreconditionError);
  t.equal(e.status, 'FAILED_PRECONDITION');
  t.match(e.message, /slot isolation: 0000:06:00.0 \(group 13\) shares PCI slot 0000:00:07 with 0000:05:00.0, so the lease must take group 13 too, and it cannot: it is leased \(L-.*uid 1001/);
  t.match(e.details, { sibling: 13, slot: '0000:00:07', lease: held.lease.id });

  setPolicy({ rules: [{ name: 'only-05', uids: [1000], devices: { devices: ['0000:05:00.0'] } }], slotIsolation: true });
  sysfs.bind('0000:06:00.0', 'edu-driver');
  real.live.refreshGroup(13);
  host.groups = real.scan().map((g) => (g.id === 13 ? g : host.groups.find((x) => x.id === g.id)!));
  // Group 13 is still leased in the table: end that lease's claim by asking through a fresh service below.
  const fresh = await setupOver(host, { rules: [{ name: 'only-05', uids: [1000], devices: { devices: ['0000:05:00.0'] } }], slotIsolation: true });
  const nv = await fresh.acquire(user, ['0000:05:00.0']).then(() => null, (x) => x) as PreconditionError;
  t.match(nv.message, /must take group 13 too, and it cannot: group 13 is not viable: 0000:06:00.0 is bound to edu-driver/);
  sysfs.bind('0000:06:00.0', 'vfio-pci');
  real.live.refreshGroup(13);
  host.groups = real.scan();
  const p = await fresh.acquire(user, ['0000:05:00.0']).then(() => null, (x) => x) as PreconditionError;
  t.match(p.message, /must take group 13 too, and it cannot: the policy does not let uid 1000 lease it: rule "only-05" does not cover group 13/);
});

async function setupOver(host: FakeHost, doc: object) {
  const policy = parsePolicy(doc, names);
  const svc = new BrokerService({ host, policy: () => policy, audit: () => {}, deliver: async (_s, _r, items) => { for (const i of items) if (!i.keep) i.fd.close(); }, notify: () => {} });
  return {
    acquire: async (c: Caller, devices: string[]) => {
      const s = svc.openSession(c);
      return svc.acquire(c, { sessionId: s.id, secret: s.secret, groups: [], devices, mode: 'legacy', onlyRequested: false, managed: false });
    },
  };
}
