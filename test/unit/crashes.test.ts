/**
 * Death at every step of an acquire. A client dying mid-acquire (its session
 * closing) must leave no lease without an owner, no owner without a lease and no
 * fd behind. The daemon dying at the same points is modelled by freezing the
 * on-disk journal at that instant and starting a fresh service from it: nothing
 * delivered may be missing from it, and no group may get a second owner.
 */
import t from 'tap';
import type * as Tap from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { BrokerService, type DeliveryItem } from '../../src/service/broker-service.js';
import { LeaseJournal, fromEntry } from '../../src/daemon/journal.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { GroupOwnedError } from '../../src/broker/errors.js';
import type { Caller } from '../../src/broker/types.js';
import type { Lease } from '../../src/broker/lease-table.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const policy = parsePolicy({ rules: [{ name: 'u', uids: [1000, 1001], devices: { any: true }, allowShare: true }] }, { user: () => undefined, group: () => undefined });
const owner: Caller = { pid: 10, uid: 1000, gid: 1000, groups: [] };
const other: Caller = { pid: 20, uid: 1001, gid: 1001, groups: [] };
type Point = 'after-journal' | 'after-delivery';

function world(dir: string, die?: { at: Point; then: (svc: BrokerService) => void }) {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])]);
  const journal = new LeaseJournal(dir, 'boot-1');
  let svc!: BrokerService;
  const frozen: string[] = [];
  const hooked = {
    write(leases: Lease[]) {
      journal.write(leases);
      if (die?.at === 'after-journal' && leases.length && !frozen.length) { frozen.push(snapshot(journal)); die.then(svc); }
    },
  };
  svc = new BrokerService({
    host, policy: () => policy, audit: () => {}, notify: () => {}, journal: hooked,
    deliver: async (_s, _r, items: DeliveryItem[]) => {
      for (const i of items) if (!i.keep) i.fd.close();
      if (die?.at === 'after-delivery' && !frozen.length) { frozen.push(snapshot(journal)); die.then(svc); }
    },
  });
  return { host, svc, journal, frozen };
}

const snapshot = (j: LeaseJournal) => (fs.existsSync(j.file) ? fs.readFileSync(j.file, 'utf8') : '');

/** Leases ↔ sessions ↔ fds agree. */
function consistent(t: Tap.Test, svc: BrokerService, host: FakeHost, what: string) {
  for (const l of svc.leases.all()) {
    if (l.sessionId !== null && !svc.sessions.get(l.sessionId)) t.fail(`${what}: lease ${l.id} names a dead session`);
  }
  const handleFds = svc.leases.all().length * 2; // container + one group each (single-group leases here)
  t.equal(host.libc.open_.size, handleFds, `${what}: the daemon holds exactly the fds of live leases (${handleFds})`);
  for (const fd of host.libc.doubleCloses()) t.fail(`${what}: an fd closed twice (${fd})`);
}

const acq = (s: { id: string; secret: string }, g = 1) => ({ sessionId: s.id, secret: s.secret, groups: [g], devices: [], mode: 'legacy' as const, onlyRequested: false, managed: false });

t.test('a client dying at each step of an acquire leaves a consistent daemon', async (t) => {
  // Before the request: the session is gone, the request is refused, nothing happens.
  {
    const { svc, host } = world(t.testdir());
    const s = svc.openSession(owner);
    svc.closeSession(s.id);
    await t.rejects(svc.acquire(owner, acq(s)), { name: 'NotFoundError', message: /no session/ }, 'before the request: refused (the session is gone)');
    consistent(t, svc, host, 'before the request');
    t.equal(svc.leases.size, 0);
  }
  for (const at of ['after-journal', 'after-delivery'] as const) {
    let sid = '';
    const { svc, host } = world(t.testdir(), { at, then: (x) => x.closeSession(sid) });
    const s = svc.openSession(owner);
    sid = s.id;
    await t.rejects(svc.acquire(owner, acq(s)), `${at}: the acquire fails`);
    t.equal(svc.leases.size, 0, `${at}: no lease without an owner`);
    consistent(t, svc, host, at);
    const next = svc.openSession(other);
    await svc.acquire(other, acq(next));
    t.pass(`${at}: the group is free for the next client`);
  }
  // During a share: the owner dies between Share and Redeem; the grant dies with the lease.
  {
    const { svc, host } = world(t.testdir());
    const s = svc.openSession(owner);
    const r = await svc.acquire(owner, acq(s));
    const grant = svc.share(owner, s.id, s.secret, { leaseId: r.lease.id, devices: ['0000:00:03.0'], uid: 1001, includeContainer: false, anyUid: false }).token;
    svc.closeSession(s.id);
    const helper = svc.openSession(other);
    await t.rejects(svc.redeem(other, helper.id, helper.secret, grant), 'during a share: the grant is dead');
    consistent(t, svc, host, 'during a share');
    t.equal(svc.grants.size, 0, 'no grant left');
  }
});

t.test('the daemon dying at each step, then restarting: nothing delivered is lost, no group owned twice', async (t) => {
  for (const at of ['after-journal', 'after-delivery'] as const) {
    const dir = t.testdir();
    const { svc, frozen } = world(dir, { at, then: () => {} });
    const s = svc.openSession(owner);
    const res = await svc.acquire(owner, acq(s)).catch(() => null);
    t.equal(frozen.length, 1, `${at}: the daemon "died" here`);
    // The restart sees the journal exactly as it was on disk at that instant.
    fs.writeFileSync(path.join(dir, 'leases.json'), frozen[0]);
    const restarted = world(dir);
    const { entries } = restarted.journal.read();
    const { restored } = restarted.svc.restore(entries.map(fromEntry), new Map());
    t.same(restored.map((l) => l.groups), [[1]], `${at}: the lease is in the journal and restored (the journal is written before any fd leaves)`);
    if (res) t.equal(restored[0].id, res.lease.id, `${at}: the same lease`);
    const intruder = restarted.svc.openSession(other);
    await t.rejects(restarted.svc.acquire(other, acq(intruder)), GroupOwnedError, `${at}: nobody else gets group 1 while its owner lives`);
    const free = await restarted.svc.acquire(other, acq(intruder, 2));
    t.ok(free, `${at}: other groups are unaffected`);
  }
  // Died before the request reached the journal: nothing was leased, nothing is restored.
  const dir = t.testdir();
  const restarted = world(dir);
  t.same(restarted.svc.restore(restarted.journal.read().entries.map(fromEntry), new Map()).restored, [], 'before the request: nothing to restore');
});
