import t from 'tap';
import { decideAcquire, parsePolicy, parseSize, PolicyError, isAdmin, deliverableDevices, selectorMatchesGroup } from '../../src/broker/policy.js';
import type { Caller, GroupFacts } from '../../src/broker/types.js';

const names = {
  user: (n: string) => ({ alice: 1000, nobody: 65534 } as Record<string, number>)[n],
  group: (n: string) => ({ kvm: 106, 'vfio-admin': 990 } as Record<string, number>)[n],
};
const c = (uid: number, gid = uid, groups: number[] = []): Caller => ({ pid: 4242, uid, gid, groups });
const edu = (id: number, extra: Partial<GroupFacts> = {}): GroupFacts => ({
  id, viable: true, viabilityReason: '', noiommu: false,
  devices: [{ name: `0000:00:0${id}.0`, driver: 'vfio-pci', vendor: '0x1234', device: '0x11e8', class: '0x00ff00', bridge: false, cdev: 'vfio0' }],
  ...extra,
});

t.test('parse resolves names and applies defaults', async (t) => {
  const p = parsePolicy({
    adminGroups: ['vfio-admin'],
    rules: [{ name: 'qemu', users: ['nobody'], groups: ['kvm'], devices: { vendorDevice: ['1234:11e8'] }, memlock: '64m', maxLeases: 2 }],
  }, names);
  t.same(p.adminGids, [990]);
  t.same(p.rules[0].uids, [65534]);
  t.same(p.rules[0].gids, [106]);
  t.equal(p.rules[0].memlockBytes, 64 * 1024 * 1024);
  t.same(p.rules[0].modes, ['legacy', 'iommufd']);
  t.equal(p.rules[0].allowNoiommu, false);
});

t.test('every mistake is reported', async (t) => {
  const e = t.throws(() => parsePolicy({
    bogus: 1,
    adminGroups: ['nosuchgroup'],
    rules: [
      { name: 'a', users: ['ghost'], devices: { groups: ['x'] }, modes: ['fast'], memlock: 'lots', maxLeases: -1, colour: 'red' },
      { name: 'a', uids: [1], devices: { any: true } },
      { uids: [2] },
      'nope',
    ],
  }, names)) as unknown as PolicyError;
  t.type(e, PolicyError);
  const msg = e.problems.join('\n');
  for (const want of [/unknown top-level key "bogus"/, /unknown group "nosuchgroup"/, /unknown user "ghost"/, /groups must be a list of group numbers/,
    /modes must be/, /memlock must be/, /maxLeases/, /unknown key "colour"/, /duplicate rule name "a"/, /devices is required/, /rules\[3\] must be an object/]) {
    t.match(msg, want);
  }
  t.throws(() => parsePolicy([], names), PolicyError);
});

t.test('parseSize', async (t) => {
  t.equal(parseSize('65792k'), 65792 * 1024);
  t.equal(parseSize('1g'), 1024 ** 3);
  t.equal(parseSize(4096), 4096);
  t.equal(parseSize('1.5g'), undefined);
  t.equal(parseSize(-1), undefined);
});

t.test('default deny, root and admins allowed', async (t) => {
  const p = parsePolicy({ adminGroups: [990] }, names);
  const d = decideAcquire(p, c(1000), [edu(1)], 'legacy', 0);
  t.equal(d.allowed, false);
  if (!d.allowed) t.match(d.reason, /no policy rule matches uid 1000/);
  t.equal(decideAcquire(p, c(0), [edu(1)], 'legacy', 0).allowed, true);
  t.equal(decideAcquire(p, c(1000, 1000, [990]), [edu(1)], 'iommufd', 0).allowed, true);
  t.ok(isAdmin(p, c(5, 990)));
  t.notOk(isAdmin(p, c(5, 5)));
});

t.test('rule coverage, modes, quota, noiommu', async (t) => {
  const p = parsePolicy({
    rules: [
      { name: 'edu-legacy', uids: [1000], devices: { vendorDevice: ['1234:*'] }, modes: ['legacy'], maxLeases: 1 },
      { name: 'grp9', uids: [1000], devices: { groups: [9] }, allowNoiommu: true },
    ],
  }, names);
  const ok = decideAcquire(p, c(1000), [edu(1)], 'legacy', 0);
  t.same(ok, { allowed: true, rule: 'edu-legacy', memlockBytes: 0, maxLeases: 1, allowShare: true });
  const mode = decideAcquire(p, c(1000), [edu(1)], 'iommufd', 0);
  t.equal(mode.allowed, false);
  const quota = decideAcquire(p, c(1000), [edu(1)], 'legacy', 1);
  t.equal(quota.allowed, false);
  if (!quota.allowed) { t.equal(quota.quota, true); t.match(quota.reason, /allows 1 lease/); }
  const nic = edu(2); nic.devices[0].vendor = '0x8086';
  const d = decideAcquire(p, c(1000), [nic], 'legacy', 0);
  t.equal(d.allowed, false);
  if (!d.allowed) t.match(d.reason, /does not cover group 2/);
  const noi = edu(9, { noiommu: true });
  t.equal(decideAcquire(p, c(1000), [noi], 'legacy', 0).allowed, true, 'explicitly allowed noiommu');
  const noi1 = edu(1, { noiommu: true });
  const r = decideAcquire(p, c(1000), [noi1], 'legacy', 0);
  t.equal(r.allowed, false);
  if (!r.allowed) t.match(r.reason, /noiommu/);
  t.equal(decideAcquire(parsePolicy({}, names), c(0), [noi1], 'legacy', 0).allowed, false, 'root needs adminNoiommu');
  t.equal(decideAcquire(parsePolicy({ adminNoiommu: true }, names), c(0), [noi1], 'legacy', 0).allowed, true);
});

t.test('a group is covered only when every non-bridge member is', async (t) => {
  const g: GroupFacts = {
    id: 4, viable: true, viabilityReason: '', noiommu: false, devices: [
      { name: '0000:01:00.0', driver: null, bridge: true, cdev: null, class: '0x060400' },
      { name: '0000:02:01.0', driver: 'vfio-pci', vendor: '0x1234', device: '0x11e8', bridge: false, cdev: 'vfio1' },
      { name: '0000:02:02.0', driver: 'vfio-pci', vendor: '0x1b36', device: '0x0005', bridge: false, cdev: 'vfio2' },
    ],
  };
  t.notOk(selectorMatchesGroup({ vendorDevice: ['1234:11e8'] }, g));
  t.ok(selectorMatchesGroup({ vendorDevice: ['1234:11e8', '1b36:0005'] }, g));
  t.ok(selectorMatchesGroup({ devices: ['0000:02:01.0'], classes: ['0x00'] }, { ...g, devices: g.devices.slice(0, 2) }));
  t.same(deliverableDevices(g), ['0000:02:01.0', '0000:02:02.0']);
  t.same(deliverableDevices(g, new Set(['0000:02:02.0'])), ['0000:02:02.0']);
});
