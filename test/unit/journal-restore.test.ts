import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { LeaseJournal, fromEntry } from '../../src/daemon/journal.js';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { GroupOwnedError, PermissionDeniedError } from '../../src/broker/errors.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const policy = parsePolicy({ rules: [{ name: 'u', uids: [1000, 1001], devices: { any: true } }] }, { user: () => undefined, group: () => undefined });
const user = (pid: number, uid = 1000) => ({ pid, uid, gid: uid, groups: [] });

function daemon(dir: string, host: FakeHost, boot = 'boot-1') {
  const journal = new LeaseJournal(dir, boot);
  const svc = new BrokerService({ host, policy: () => policy, audit: () => {}, deliver: async (_s, _r, items) => { for (const i of items) if (!i.keep) i.fd.close(); }, notify: () => {}, journal });
  return { journal, svc };
}

t.test('journal is written before delivery and survives a restart', async (t) => {
  const dir = t.testdir();
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])]);
  let journalAtDelivery = '';
  const a = daemon(dir, host);
  const svcA = new BrokerService({
    host, policy: () => policy, audit: () => {}, notify: () => {}, journal: a.journal,
    deliver: async (_s, _r, items) => {
      journalAtDelivery = fs.readFileSync(path.join(dir, 'leases.json'), 'utf8');
      for (const i of items) if (!i.keep) i.fd.close();
    },
  });
  const s = svcA.openSession(user(10));
  const r = await svcA.acquire(user(10), { sessionId: s.id, secret: s.secret, groups: [1], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  t.match(journalAtDelivery, r.lease.id, 'lease on disk before fds left');
  t.notOk(fs.existsSync(path.join(dir, 'leases.json.tmp')), 'no temp file left');

  // "Restart": a new service reads the journal. The owner is alive, so the group stays reserved.
  const b = daemon(dir, host);
  const { entries } = b.journal.read();
  t.equal(entries.length, 1);
  const { restored } = b.svc.restore(entries.map(fromEntry), new Map());
  t.equal(restored.length, 1);
  const other = b.svc.openSession(user(20, 1001));
  await t.rejects(b.svc.acquire(user(20, 1001), { sessionId: other.id, secret: other.secret, groups: [1], devices: [], mode: 'legacy', onlyRequested: false, managed: false }), GroupOwnedError, 'never a second owner');

  const wrong = b.svc.openSession(user(21, 1001));
  t.throws(() => b.svc.reattach(user(21, 1001), wrong.id, undefined, [r.lease.id], r.lease.secret), PermissionDeniedError, 'other uid cannot re-attach');
  const back = b.svc.openSession(user(10));
  t.throws(() => b.svc.reattach(user(10), back.id, undefined, [r.lease.id], 'bad-secret'), PermissionDeniedError);
  t.same(b.svc.reattach(user(10), back.id, undefined, [r.lease.id], r.lease.secret), [r.lease.id]);
  t.equal(b.svc.leases.get(r.lease.id)?.state, 'active');
  b.svc.closeSession(back.id);
  t.equal(b.journal.read().entries.length, 0, 'release rewrites the journal');
});

t.test('restored leases of dead owners, stale boots and the grace period', async (t) => {
  const dir = t.testdir();
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])]);
  const a = daemon(dir, host);
  for (const [pid, g] of [[10, 1], [11, 2]]) {
    const s = a.svc.openSession(user(pid));
    await a.svc.acquire(user(pid), { sessionId: s.id, secret: s.secret, groups: [g], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  }
  t.equal(daemon(dir, host, 'boot-2').journal.read().staleBoot, true, 'another boot: nothing survives');
  host.alive = (pid: number) => pid !== 10;
  const b = daemon(dir, host);
  const { restored, dropped } = b.svc.restore(b.journal.read().entries.map(fromEntry), new Map());
  t.same(restored.map((l) => l.owner.pid), [11]);
  t.match(dropped[0].reason, /pid 10 is gone/);
  b.svc.restoredAt = new Date(1000);
  t.same(b.svc.expireOrphans(new Date(0)), [], 'still within grace');
  const gone = b.svc.expireOrphans(new Date(2000));
  t.match(gone[0].reason, /did not re-attach within the grace period/);
  t.equal(b.svc.leases.size, 0);
});

t.test('a restored lease with fds from the fd store watches its devices for removal requests again', async (t) => {
  const dir = t.testdir();
  const host = new FakeHost([group(1, [edu('0000:00:03.0')])]);
  const a = daemon(dir, host);
  const s = a.svc.openSession(user(10));
  const r = await a.svc.acquire(user(10), { sessionId: s.id, secret: s.secret, groups: [1], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  // The restart: a new host (no watches yet), and the container/group fds the fd store kept.
  const host2 = new FakeHost(host.groups);
  const b = daemon(dir, host2);
  const handles = host2.openLegacy(host2.groups);
  const opened = host2.libc.open_.size;
  b.svc.restore(b.journal.read().entries.map(fromEntry), new Map([[r.lease.id, handles]]));
  t.same([...host2.requestWatches.keys()], ['0000:00:03.0'], 'the device is watched again');
  t.equal(host2.libc.open_.size, opened, 'through a device fd that was closed again at once');
  const events: any[] = [];
  b.svc.on('event', (e) => events.push(e));
  host2.requestBack('0000:00:03.0');
  t.match(events.at(-1), { kind: 'device-release-requested', leaseId: r.lease.id });
});
