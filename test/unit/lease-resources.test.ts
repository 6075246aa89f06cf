/**
 * Ending a lease closes everything it held, through its one LeaseResources:
 * the daemon's container and group fds, their fd-store entries, the device
 * request watches and the drivers a managed lease bound. Shown for each way a
 * lease ends: release, the owner's crash (session closed), revoke, and orphan
 * expiry after a restart.
 */
import t from 'tap';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import type { Caller } from '../../src/broker/types.js';
import type { LegacyHandles } from '../../src/kernel/host.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const names = { user: () => undefined, group: () => undefined };
const user = (pid: number): Caller => ({ pid, uid: 1000, gid: 1000, groups: [] });
const root: Caller = { pid: 1, uid: 0, gid: 0, groups: [] };
const policy = parsePolicy({ rules: [{ name: 'users', uids: [1000], devices: { any: true }, allowManaged: true }] }, names);

function setup() {
  const host = new FakeHost([
    group(1, [edu('0000:00:03.0', 'vfio0')]),
    group(3, [edu('0000:03:01.0', 'vfio3'), { ...edu('0000:03:02.0', null, 'virtio-pci'), vendor: '0x1af4', device: '0x1005' }]),
  ]);
  const stored = new Map<string, LegacyHandles>();
  const fdStore = {
    keep: (id: string, h: LegacyHandles) => { stored.set(id, h); },
    drop: (id: string) => { stored.delete(id); },
  };
  const svc = new BrokerService({
    host, policy: () => policy, audit: () => {}, notify: () => {}, fdStore,
    deliver: async (_s, _r, items) => { for (const it of items) if (!it.keep) it.fd.close(); },
  });
  return { host, svc, stored };
}

/** What a lease holds right now, as seen from outside the service. */
function holdings(s: ReturnType<typeof setup>, leaseId: string) {
  const res = s.svc.ctx.resources.get(leaseId);
  const h = res?.handles;
  return {
    tracked: !!res,
    openFds: h ? [h.container, ...h.groups.values()].filter((fd) => !fd.closed).length : 0,
    inFdStore: s.stored.has(leaseId),
    liveWatches: [...s.host.requestWatches.values()].filter((w) => !w.closed).length,
    bound: res?.boundGroups ?? [],
  };
}

const gone = { tracked: false, openFds: 0, inFdStore: false, liveWatches: 0, bound: [] };

async function leased(s: ReturnType<typeof setup>, o: { managed?: boolean } = {}) {
  const session = s.svc.openSession(user(10));
  const r = await s.svc.acquire(user(10), {
    sessionId: session.id, secret: session.secret, groups: [o.managed ? 3 : 1], devices: [], mode: 'legacy', onlyRequested: false, managed: !!o.managed,
  });
  return { session, lease: r.lease };
}

t.test('release', async (t) => {
  const s = setup();
  const { session, lease } = await leased(s);
  const before = holdings(s, lease.id);
  t.same(before, { tracked: true, openFds: 2, inFdStore: true, liveWatches: 1, bound: [] }, 'the lease holds container + group fds, an fd-store entry and a watch');
  const handles = s.svc.ctx.resources.get(lease.id)!.handles!;
  s.svc.release(user(10), session.id, session.secret, lease.id);
  t.same(holdings(s, lease.id), gone);
  t.ok(handles.container.closed && [...handles.groups.values()].every((fd) => fd.closed), 'the daemon closed its copies');
  t.same(s.host.libc.doubleCloses(), [], 'each exactly once');
});

t.test('the owner crashes (its session closes)', async (t) => {
  const s = setup();
  const { session, lease } = await leased(s);
  s.svc.closeSession(session.id);
  t.same(holdings(s, lease.id), gone);
});

t.test('revoke', async (t) => {
  const s = setup();
  const { lease } = await leased(s);
  const r = await s.svc.revoke(root, lease.id, 0);
  t.equal(r.ended, true);
  t.same(holdings(s, lease.id), gone);
});

t.test('a managed lease gives its drivers back, whichever way it ends', async (t) => {
  const s = setup();
  const { session, lease } = await leased(s, { managed: true });
  t.same(holdings(s, lease.id).bound, [3], 'the binding is held by the lease');
  t.equal(s.host.groups[1].devices[1].driver, 'vfio-pci');
  s.svc.closeSession(session.id);
  t.same(holdings(s, lease.id), gone);
  t.equal(s.host.groups[1].devices[1].driver, 'virtio-pci', 'the host driver is back');
});

t.test('orphan expiry after a restart', async (t) => {
  const first = setup();
  const { lease } = await leased(first);
  const handles = first.svc.ctx.resources.get(lease.id)!.handles!;
  first.svc.stop();
  t.ok(handles.container.closed, 'a stopping daemon closes its own copies');
  t.ok(first.stored.has(lease.id), 'but the fd store keeps its entry for the next start');
  // The next start: the journal's lease, and the fds systemd passed back.
  const next = setup();
  next.stored.set(lease.id, handles);
  const recovered: LegacyHandles = next.host.openLegacy([next.host.groups[0]]);
  const { restored } = next.svc.restore([lease], new Map([[lease.id, recovered]]));
  t.equal(restored.length, 1);
  t.same(holdings(next, lease.id), { tracked: true, openFds: 2, inFdStore: true, liveWatches: 1, bound: [] }, 'restored: fds adopted, devices watched again');
  next.svc.restoredAt = new Date(1000);
  const expired = next.svc.expireOrphans(new Date(2000));
  t.equal(expired.length, 1);
  t.same(holdings(next, lease.id), gone);
  t.ok(recovered.container.closed, 'the recovered fds are closed');
});
