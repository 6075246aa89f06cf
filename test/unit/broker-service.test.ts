import t from 'tap';
import { BrokerService, type DeliveryItem } from '../../src/service/broker-service.js';
import { parsePolicy, DENY_ALL, type Policy } from '../../src/broker/policy.js';
import type { AuditRecord } from '../../src/broker/audit.js';
import type { Caller } from '../../src/broker/types.js';
import {
  AbortedError, GroupOwnedError, InternalError, InvalidArgumentError, NotFoundError, PermissionDeniedError, PreconditionError, QuotaError,
  SessionMismatchError, StillHeldError,
} from '../../src/broker/errors.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const names = { user: () => undefined, group: () => undefined };
const user = (pid: number, uid = 1000): Caller => ({ pid, uid, gid: uid, groups: [] });
const root = (pid: number): Caller => ({ pid, uid: 0, gid: 0, groups: [] });

function setup(policy: Policy = parsePolicy({ rules: [{ name: 'users', uids: [1000, 1001], devices: { any: true }, memlock: '64m', maxLeases: 3 }] }, names)) {
  const host = new FakeHost([
    group(1, [edu('0000:00:03.0', 'vfio0')]),
    group(2, [
      { name: '0000:01:00.0', bus: 'pci', driver: null, driverOverride: null, class: '0x060400', bridge: true, cdev: null },
      edu('0000:02:01.0', 'vfio1'),
      { ...edu('0000:02:02.0', 'vfio2'), vendor: '0x1b36', device: '0x0005' },
    ]),
    group(3, [edu('0000:03:01.0', 'vfio3'), { ...edu('0000:03:02.0', null, 'virtio-pci'), vendor: '0x1af4', device: '0x1005' }]),
    group(4, [edu('0000:04:00.0', null)], { noiommu: true, devNode: '/dev/vfio/noiommu-4' }),
  ]);
  const audits: AuditRecord[] = [];
  const delivered: { session: string; request: string; items: DeliveryItem[] }[] = [];
  const notes: { session: string; msg: Record<string, unknown> }[] = [];
  const svc = new BrokerService({
    host,
    policy: () => policy,
    audit: (r) => audits.push(r),
    deliver: async (session, request, items) => {
      delivered.push({ session, request, items });
      // The client's copies: group files stay open in the kernel while the client holds them.
      for (const it of items) {
        if (it.role === 'group') host.libc.groupOpen.set(it.group!, (host.libc.groupOpen.get(it.group!) ?? 0) + 1);
        if (!it.keep) it.fd.close();
      }
    },
    notify: (session, msg) => notes.push({ session, msg }),
  });
  /** The client exits: its copies of group fds close. */
  const clientExit = (req: number) => {
    for (const it of delivered[req].items) if (it.role === 'group') {
      const n = host.libc.groupOpen.get(it.group!)! - 1;
      if (n <= 0) host.libc.groupOpen.delete(it.group!); else host.libc.groupOpen.set(it.group!, n);
    }
  };
  return { host, svc, audits, delivered, notes, clientExit };
}

const acq = (s: { id: string; secret: string }, o: Partial<Parameters<BrokerService['acquire']>[1]> = {}) => ({
  sessionId: s.id, secret: s.secret, groups: [], devices: [], mode: 'legacy' as const, onlyRequested: false, managed: false, ...o,
});

t.test('legacy acquire delivers container, group and device fds; second client refused with owner details', async (t) => {
  const { svc, delivered, audits, host } = setup();
  const a = svc.openSession(user(10));
  const res = await svc.acquire(user(10), acq(a, { groups: [1] }));
  t.same(res.delivered.map((d) => d.role), ['container', 'group', 'device']);
  t.equal(res.delivered[2].device, '0000:00:03.0');
  t.equal(delivered[0].session, a.id);
  t.equal(host.memlock.get(10), 64 * 1024 * 1024, 'memlock allowance applied to the owner');
  t.equal(audits.at(-1)?.event, 'grant');
  t.equal(audits.at(-1)?.rule, 'users');

  const b = svc.openSession(user(11, 1001));
  const e = await svc.acquire(user(11, 1001), acq(b, { groups: [1] })).catch((x) => x);
  t.type(e, GroupOwnedError);
  t.equal(e.details['owner-pid'], 10);
  t.equal(e.details['owner-uid'], 1000);
  t.equal(delivered.length, 1, 'no fds for the loser');
  t.equal(audits.at(-1)?.event, 'refusal');
  t.equal(audits.at(-1)?.status, 'ALREADY_EXISTS');
});

t.test('acquire by device resolves the whole group; only_requested limits device fds', async (t) => {
  const { svc, clientExit } = setup();
  const s = svc.openSession(user(10));
  const all = await svc.acquire(user(10), acq(s, { devices: ['0000:02:02.0'], onlyRequested: true }));
  t.same(all.lease.groups, [2]);
  t.same(all.delivered.filter((d) => d.role === 'device').map((d) => d.device), ['0000:02:02.0'], 'requested device only');
  svc.release(user(10), s.id, undefined, all.lease.id);
  clientExit(0);
  const again = await svc.acquire(user(10), acq(s, { groups: [2] }));
  t.same(again.delivered.filter((d) => d.role === 'device').map((d) => d.device), ['0000:02:01.0', '0000:02:02.0'], 'bridge gets no fd');
});

t.test('refusals: unknown, invalid, not viable, policy, quota, noiommu, session', async (t) => {
  const { svc, audits } = setup();
  const s = svc.openSession(user(10));
  await t.rejects(svc.acquire(user(10), acq(s, { groups: [99] })), NotFoundError);
  await t.rejects(svc.acquire(user(10), acq(s, { devices: ['0000:99:00.0'] })), NotFoundError);
  for (const bad of ['../../etc', '0000:00:03.0/../x', 'a\0b', '', 'x'.repeat(300), '..']) {
    await t.rejects(svc.acquire(user(10), acq(s, { devices: [bad] })), InvalidArgumentError, JSON.stringify(bad).slice(0, 20));
  }
  for (const bad of [-1, 1.5, '1e3', '01', 'x', null, 2 ** 33]) {
    await t.rejects(svc.acquire(user(10), acq(s, { groups: [bad] })), InvalidArgumentError, String(bad));
  }
  await t.rejects(svc.acquire(user(10), acq(s)), InvalidArgumentError, 'nothing named');
  const nv = await svc.acquire(user(10), acq(s, { groups: [3] })).catch((e) => e);
  t.type(nv, PreconditionError);
  t.match(nv.message, /0000:03:02.0 is bound to virtio-pci/);
  const noi = await svc.acquire(user(10), acq(s, { groups: [4] })).catch((e) => e);
  t.type(noi, PermissionDeniedError, 'noiommu needs explicit policy');
  const noiFd = await svc.acquire(user(10), acq(s, { groups: [4], mode: 'iommufd' })).catch((e) => e);
  t.type(noiFd, PreconditionError, 'noiommu is legacy-only');
  const stranger = svc.openSession(user(20, 4242));
  const denied = await svc.acquire(user(20, 4242), acq(stranger, { groups: [1] })).catch((e) => e);
  t.type(denied, PermissionDeniedError);
  t.ok(audits.some((a) => a.event === 'refusal' && a.who.uid === 4242 && a.status === 'PERMISSION_DENIED'), 'refusal audited');
  await t.rejects(svc.acquire(user(21, 1000), { ...acq(s, { groups: [1] }), secret: undefined }), SessionMismatchError, 'someone else’s session');
  await t.rejects(svc.acquire(user(21, 1001), acq(s, { groups: [1] })), SessionMismatchError, 'secret does not help another uid');
  const viaSecret = await svc.acquire(user(21, 1000), acq(s, { groups: [1] }));
  t.equal(viaSecret.lease.sessionId, s.id, 'same uid with the secret may use the session');
});

t.test('quota per uid', async (t) => {
  const { svc } = setup(parsePolicy({ rules: [{ name: 'one', uids: [1000], devices: { any: true }, maxLeases: 1 }] }, names));
  const s = svc.openSession(user(10));
  await svc.acquire(user(10), acq(s, { groups: [1] }));
  await t.rejects(svc.acquire(user(10), acq(s, { groups: [2] })), QuotaError);
});

t.test('session close releases everything; fds closed exactly once; stale holder → UNAVAILABLE with pids', async (t) => {
  const { svc, host, clientExit } = setup();
  const s = svc.openSession(user(10));
  const r = await svc.acquire(user(10), acq(s, { groups: [1, 2] }));
  t.same(r.lease.groups, [1, 2], 'two groups, one lease');
  t.equal(r.delivered.filter((d) => d.role === 'container').length, 1, 'one container for both groups');
  const events: string[] = [];
  svc.on('event', (e) => events.push(e.kind));
  svc.closeSession(s.id);
  t.equal(svc.leases.size, 0);
  t.same(events, ['lease-released']);
  t.same(host.libc.doubleCloses(), []);
  t.same([...host.libc.open_.keys()], [], 'daemon holds no fd');
  // The client process kept its group fd: the kernel says EBUSY.
  host.holdersOf.set(1, [{ pid: 10, uid: 1000, comm: 'qemu', path: '/dev/vfio/1' }]);
  const s2 = svc.openSession(user(11, 1001));
  const e = await svc.acquire(user(11, 1001), acq(s2, { groups: [1] })).catch((x) => x);
  t.type(e, StillHeldError);
  t.match(e.message, /pid 10 uid 1000 \(qemu\)/);
  t.equal(svc.leases.size, 0, 'failed acquire leaves no lease');
  clientExit(0);
  await svc.acquire(user(11, 1001), acq(s2, { groups: [1] }));
  t.equal(svc.leases.size, 1);
});

t.test('kernel failure mid-acquire releases the reservation and closes what was opened', async (t) => {
  const { svc, host } = setup();
  const s = svc.openSession(user(10));
  host.failNext = { step: 'deviceFd', errno: 'EIO' };
  await t.rejects(svc.acquire(user(10), acq(s, { groups: [2] })), InternalError);
  t.equal(svc.leases.size, 0);
  t.same([...host.libc.open_.keys()], []);
  t.same(host.libc.doubleCloses(), []);
  host.failNext = { step: 'openLegacy', errno: 'EPERM' };
  await t.rejects(svc.acquire(user(10), acq(s, { groups: [1] })), PreconditionError);
  const ok = await svc.acquire(user(10), acq(s, { groups: [1] }));
  t.ok(ok.lease.id);
});

t.test('session closing while delivery is in flight aborts the acquire', async (t) => {
  const { host } = setup();
  let svcRef: BrokerService;
  const svc = new BrokerService({
    host, policy: () => parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true } }] }, names), audit: () => {},
    deliver: async (session, _r, items) => {
      svcRef.closeSession(session);
      for (const it of items) if (!it.keep) it.fd.close();
    },
    notify: () => {},
  });
  svcRef = svc;
  const s = svc.openSession(user(10));
  await t.rejects(svc.acquire(user(10), acq(s, { groups: [1] })), AbortedError);
  t.equal(svc.leases.size, 0);
  t.same([...host.libc.open_.keys()], []);
});

t.test('iommufd mode: iommufd + unbound cdevs, daemon keeps nothing; group still reserved', async (t) => {
  const { svc, host } = setup();
  const s = svc.openSession(user(10));
  const r = await svc.acquire(user(10), acq(s, { devices: ['0000:00:03.0'], mode: 'iommufd' }));
  t.same(r.delivered.map((d) => `${d.role}:${d.device ?? ''}`), ['iommufd:', 'cdev:0000:00:03.0']);
  t.same([...host.libc.open_.keys()], [], 'no daemon fd would block the client binding');
  const s2 = svc.openSession(user(11, 1001));
  await t.rejects(svc.acquire(user(11, 1001), acq(s2, { groups: [1] })), GroupOwnedError, 'legacy refused');
  await t.rejects(svc.acquire(user(11, 1001), acq(s2, { groups: [1], mode: 'iommufd' })), GroupOwnedError, 'iommufd refused');
  await t.rejects(svc.openDevice(user(10), s.id, undefined, r.lease.id, '0000:00:03.0'), PreconditionError, 'no group fd to mint from');
});

t.test('share and redeem: fresh device fds for the grantee only; grants die with the lease', async (t) => {
  const { svc, delivered } = setup();
  const owner = svc.openSession(user(10));
  const r = await svc.acquire(user(10), acq(owner, { groups: [2] }));
  const token = svc.share(user(10), owner.id, undefined, { leaseId: r.lease.id, devices: ['0000:02:01.0'], uid: 1001, includeContainer: false, anyUid: false }).token;
  const helper = svc.openSession(user(20, 1001));
  const got = await svc.redeem(user(20, 1001), helper.id, undefined, token);
  t.same(got.delivered.map((d) => `${d.role}:${d.device}`), ['device:0000:02:01.0']);
  t.equal(delivered.at(-1)?.session, helper.id, 'delivered to the helper’s own session');
  const thief = svc.openSession(user(30, 1002));
  await t.rejects(svc.redeem(user(30, 1002), thief.id, undefined, token), PermissionDeniedError);
  t.throws(() => svc.share(user(20, 1001), helper.id, undefined, { leaseId: r.lease.id, devices: [], uid: 1002, includeContainer: false, anyUid: false }), PermissionDeniedError, 'only the owner shares');
  t.throws(() => svc.share(user(10), owner.id, undefined, { leaseId: r.lease.id, devices: ['0000:00:03.0'], uid: 1001, includeContainer: false, anyUid: false }), InvalidArgumentError);
  const withContainer = svc.share(user(10), owner.id, undefined, { leaseId: r.lease.id, devices: [], uid: 1001, includeContainer: true, anyUid: false }).token;
  const sec = await svc.redeem(user(20, 1001), helper.id, undefined, withContainer);
  t.same(sec.delivered.map((d) => d.role), ['container', 'group', 'device', 'device']);
  svc.release(user(10), owner.id, undefined, r.lease.id);
  await t.rejects(svc.redeem(user(20, 1001), helper.id, undefined, token), NotFoundError);
});

t.test('open device, release by non-owner, revoke', async (t) => {
  const { svc, notes, host } = setup(parsePolicy({ adminGroups: [990], rules: [{ name: 'u', uids: [1000, 1001], devices: { any: true } }] }, names));
  const s = svc.openSession(user(10));
  const r = await svc.acquire(user(10), acq(s, { groups: [1] }));
  const od = await svc.openDevice(user(10), s.id, undefined, r.lease.id, '0000:00:03.0');
  t.same(od.delivered.map((d) => d.role), ['device']);
  await t.rejects(svc.openDevice(user(10), s.id, undefined, r.lease.id, '0000:02:01.0'), NotFoundError);
  const other = svc.openSession(user(11, 1001));
  t.throws(() => svc.release(user(11, 1001), other.id, undefined, r.lease.id), PermissionDeniedError);
  await t.rejects(svc.revoke(user(11, 1001), r.lease.id, 10), PermissionDeniedError, 'revoke is admin-only');
  // Cooperative: the owner releases when told.
  const p = svc.revoke(root(1), r.lease.id, 5000);
  t.same(notes.at(-1)?.msg, { type: 'revoke', lease: r.lease.id, deadline_ms: 5000 });
  svc.release(user(10), s.id, undefined, r.lease.id);
  const res = await p;
  t.equal(res.ended, true);
  t.match(res.note, /owner released/);
  // Forced: the owner ignores it; the answer names the processes that still hold fds.
  const r2 = await svc.acquire(user(10), acq(s, { groups: [2] }));
  host.holdersOf.set(2, [{ pid: 10, uid: 1000, comm: 'dpdk', path: '/dev/vfio/2' }]);
  const forced = await svc.revoke({ pid: 1, uid: 5, gid: 990, groups: [] }, r2.lease.id, 1);
  t.equal(svc.leases.get(r2.lease.id), undefined);
  t.same(forced.stillHeldBy.map((h) => h.pid), [10]);
  t.match(forced.note, /cannot revoke/);
  await t.rejects(svc.revoke(root(1), 'L-nope', 1), NotFoundError);
});

t.test('deny-all policy still lets root in', async (t) => {
  const { svc } = setup(DENY_ALL);
  const s = svc.openSession(root(5));
  const r = await svc.acquire(root(5), acq(s, { groups: [1] }));
  t.equal(r.lease.rule, 'builtin:root');
  t.equal(svc.listGroups().find((g) => g.group.id === 1)?.owner?.id, r.lease.id);
  t.same(svc.getGroup('1').modes, ['legacy', 'iommufd']);
  t.same(svc.getGroup(4).modes, ['legacy']);
  t.throws(() => svc.getGroup(77), NotFoundError);
  t.equal(svc.status().leases, 1);
  svc.shutdown('test');
  t.equal(svc.leases.size, 0);
});

t.test('bind / unbind (admin) with the host-critical guard; managed leases bind and restore', async (t) => {
  const { svc, host } = setup(parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true }, allowManaged: true }] }, names));
  await t.rejects(Promise.resolve().then(() => svc.bind(user(10), 3)), PermissionDeniedError);
  const r = await svc.bind(root(1), 3);
  t.same(r.map((x) => [x.device, x.fromDriver, x.toDriver]), [['0000:03:01.0', 'vfio-pci', 'vfio-pci'], ['0000:03:02.0', 'virtio-pci', 'vfio-pci']]);
  t.equal(svc.getGroup(3).group.viable, true, 'now viable');
  const back = await svc.unbind(root(1), 3);
  t.same(back.find((x) => x.device === '0000:03:02.0')?.toDriver, 'virtio-pci', 'original driver restored');
  t.equal(svc.getGroup(3).group.viable, false);

  host.critical.set('0000:03:02.0', [{ reason: 'backs the root filesystem (9p)' }]);
  const e = await svc.bind(root(1), 3).then(() => null, (x: unknown) => x as PreconditionError);
  t.type(e, PreconditionError);
  t.match(e!.message, /0000:03:02.0 backs the root filesystem/);
  host.critical.clear();

  const s = svc.openSession(user(10));
  const lease = await svc.acquire(user(10), acq(s, { groups: [3], managed: true }));
  t.same(lease.delivered.filter((d) => d.role === 'device').map((d) => d.device), ['0000:03:01.0', '0000:03:02.0']);
  await t.rejects(svc.bind(root(1), 3), PreconditionError, 'no rebinding a leased group');
  svc.release(user(10), s.id, undefined, lease.lease.id);
  await new Promise((r) => setImmediate(r)); // the restore runs off the loop
  t.equal(host.groups.find((g) => g.id === 3)!.devices[1].driver, 'virtio-pci', 'managed release restores the driver');
});

t.test('the kernel asking for a device back reaches the owner and Watch; the watch ends with the lease', async (t) => {
  const { svc, host, notes } = setup();
  const events: any[] = [];
  svc.on('event', (e) => events.push(e));
  const a = svc.openSession(user(10));
  const res = await svc.acquire(user(10), acq(a, { groups: [2] }));
  t.same([...host.requestWatches.keys()].sort(), ['0000:02:01.0', '0000:02:02.0'], 'one watch per delivered device');
  await svc.openDevice(user(10), a.id, a.secret, res.lease.id, '0000:02:01.0');
  t.equal(host.requestWatches.size, 2, 'minting again does not register twice');
  host.requestBack('0000:02:02.0');
  const ev = events.find((e) => e.kind === 'device-release-requested');
  t.match(ev, { device: '0000:02:02.0', leaseId: res.lease.id, group: 2, reason: /close every fd/ });
  t.match(notes.at(-1), { session: a.id, msg: { type: 'device-event', kind: 'device-release-requested', device: '0000:02:02.0', lease: res.lease.id } });
  svc.release(user(10), a.id, a.secret, res.lease.id);
  t.ok([...host.requestWatches.values()].every((w) => w.closed), 'watches closed when the lease ends');
  const before = notes.length;
  host.requestBack('0000:02:01.0');
  t.equal(notes.length, before, 'nothing after the lease is gone');
});

t.test('a rule with "allowShare": false refuses Share', async (t) => {
  const { svc } = setup(parsePolicy({ rules: [{ name: 'solo', uids: [1000], devices: { any: true }, allowShare: false }] }, names));
  const a = svc.openSession(user(10));
  const r = await svc.acquire(user(10), acq(a, { groups: [1] }));
  t.throws(() => svc.share(user(10), a.id, a.secret, { leaseId: r.lease.id, devices: ['0000:00:03.0'], uid: 1001, includeContainer: false, anyUid: false }),
    { name: 'PermissionDeniedError', message: /does not allow sharing/ });
});
