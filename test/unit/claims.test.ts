/** Claims in the service, with fakes at the kernel boundary (FakeHost, a cgroup stand-in). */
import t from 'tap';
import { BrokerService, type DeliveryItem } from '../../src/service/broker-service.js';
import { parsePolicy, type Policy } from '../../src/broker/policy.js';
import type { AuditRecord } from '../../src/broker/audit.js';
import type { Caller } from '../../src/broker/types.js';
import type { Claim } from '../../src/broker/claim-table.js';
import { ClaimTable, hashToken, tokenMatches } from '../../src/broker/claim-table.js';
import { GroupOwnedError, InvalidArgumentError, NotFoundError, PermissionDeniedError, PreconditionError } from '../../src/broker/errors.js';
import type { BrokerEvent } from '../../src/service/types.js';
import { fromClaimEntry, toClaimEntry, claimEntryProblem } from '../../src/daemon/claim-journal.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const names = { user: () => undefined, group: () => undefined };
const POD_A = '11111111-2222-4333-8444-555555555555';
const POD_B = '99999999-2222-4333-8444-555555555555';
const podA = `/kubepods/besteffort/pod${POD_A}`;
const podB = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_B.replace(/-/g, '_')}.slice`;
const root: Caller = { pid: 1, uid: 0, gid: 0, groups: [] };
const nobody = (pid: number): Caller => ({ pid, uid: 65534, gid: 65534, groups: [], startTime: String(pid * 10) });

function setup(policy: Policy = parsePolicy({ rules: [{ name: 'users', uids: [1000], devices: { any: true } }] }, names), journal: Claim[][] = []) {
  const host = new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])]);
  const cgroupOf = new Map<number, string>();
  const existing = new Set<string>();
  const audits: AuditRecord[] = [];
  const events: BrokerEvent[] = [];
  const delivered: DeliveryItem[][] = [];
  const svc = new BrokerService({
    host, policy: () => policy, audit: (r) => audits.push(r),
    deliver: async (_s, _r, items) => {
      delivered.push(items);
      for (const it of items) if (!it.keep) it.fd.close();
    },
    notify: () => {},
    cgroups: { cgroupOf: (pid) => cgroupOf.get(pid) ?? null, exists: (p) => existing.has(p) },
    claimJournal: { write: (c) => journal.push(c.map((x) => ({ ...x }))) },
  });
  svc.on('event', (e: BrokerEvent) => events.push(e));
  /** A workload process in a pod (or none), with its session. */
  const inPod = (pid: number, path: string | null) => {
    cgroupOf.set(pid, path ? `0::${path}/ctr-${pid}\n` : '0::/user.slice/user-1000.slice/session-1.scope\n');
    if (path) existing.add(path);
    const c = nobody(pid);
    return { c, s: svc.openSession(c) };
  };
  return { host, svc, audits, events, delivered, cgroupOf, existing, inPod, journal };
}

const create = (svc: BrokerService, o: Partial<Parameters<BrokerService['claims']['create']>[1]> = {}) =>
  svc.claims.create(root, { groups: [1], devices: [], mode: 'legacy', ownerRef: 'vfio-broker.io/edu:g1', ttlSeconds: 0, ...o });

t.test('tokens are stored hashed and checked in constant time', async (t) => {
  const h = hashToken('secret');
  t.match(h, /^[0-9a-f]{64}$/);
  t.ok(tokenMatches(h, 'secret'));
  t.notOk(tokenMatches(h, 'secreT'));
  t.notOk(tokenMatches('zz', 'secret'), 'a damaged hash matches nothing');
  const table = new ClaimTable(() => 'C-1');
  const c = table.create({ groups: [3, 3, 2], mode: 'legacy', ownerRef: '', createdBy: { uid: 0, pid: 1 }, now: new Date(0) }, h);
  t.same(c.groups, [2, 3]);
  t.notOk(JSON.stringify(c).includes('"secret"'), 'the token itself is not kept');
  t.throws(() => table.create({ groups: [3], mode: 'legacy', ownerRef: '', createdBy: { uid: 0, pid: 1 }, now: new Date(0) }, h), GroupOwnedError);
});

t.test('only admins create, list and end claims; a claim reserves its groups against Acquire', async (t) => {
  const { svc, audits, events } = setup();
  const user: Caller = { pid: 5, uid: 1000, gid: 1000, groups: [] };
  t.throws(() => svc.claims.create(user, { groups: [1], devices: [], mode: 'legacy', ownerRef: '', ttlSeconds: 0 }), PermissionDeniedError);
  t.equal(audits.at(-1)?.event, 'refusal');
  t.throws(() => svc.claims.list(user), PermissionDeniedError);
  t.throws(() => create(svc, { ownerRef: 'a\nb' }), InvalidArgumentError);
  t.throws(() => create(svc, { ttlSeconds: -1 }), InvalidArgumentError);

  const { claim, token } = create(svc);
  t.ok(token.length >= 32);
  t.equal(claim.state, 'reserved');
  t.same(events.map((e) => [e.kind, e.claimId, e.group]), [['claim-created', claim.id, 1]]);
  t.equal(audits.at(-1)?.event, 'claim');
  t.same(svc.claims.list(root).map((c) => c.id), [claim.id]);
  t.equal(svc.claims.table.claimOf(1)?.id, claim.id, 'Group.claim_id comes from here');

  const s = svc.openSession(user);
  const e = await svc.acquire(user, { sessionId: s.id, secret: s.secret, groups: [1], devices: [], mode: 'legacy', onlyRequested: false, managed: false }).catch((x) => x);
  t.type(e, GroupOwnedError);
  t.match(e.message, new RegExp(`reserved by claim ${claim.id} \\(vfio-broker.io/edu:g1\\)`));
  t.equal(audits.at(-1)?.rpc, 'Acquire');
  t.equal(audits.at(-1)?.status, 'ALREADY_EXISTS');
  const byRoot = svc.openSession(root);
  await t.rejects(svc.acquire(root, { sessionId: byRoot.id, secret: byRoot.secret, groups: [1], devices: [], mode: 'legacy', onlyRequested: false, managed: false }), GroupOwnedError, 'not even root acquires around a claim');
  t.throws(() => create(svc), GroupOwnedError, 'a group is in one claim at a time');

  // A leased group cannot be claimed.
  await svc.acquire(user, { sessionId: s.id, secret: s.secret, groups: [2], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  t.throws(() => create(svc, { groups: [2] }), GroupOwnedError);

  const ended = svc.claims.end(root, claim.id, 'test');
  t.equal(ended.state, 'ended');
  t.equal(svc.claims.table.claimOf(1), undefined);
  t.equal(events.at(-1)?.kind, 'claim-ended');
  t.throws(() => svc.claims.end(user, claim.id, ''), PermissionDeniedError);
});

t.test('redeem: the token makes a lease on the redeemer\'s session, bound to its pod; no policy rule needed', async (t) => {
  const { svc, audits, events, delivered, inPod } = setup();
  const { claim, token } = create(svc);
  const w = inPod(100, podA);
  const r = await svc.claims.redeem(w.c, w.s.id, w.s.secret, claim.id, token);
  t.same(r.delivered.map((d) => d.role), ['container', 'group', 'device']);
  t.equal(delivered.length, 1);
  t.equal(r.lease.owner.uid, 65534, 'uid 65534 has no policy rule: the claim is the authorization');
  t.equal(r.lease.rule, `claim:${claim.id}`);
  t.equal(claim.state, 'leased');
  t.equal(claim.leaseId, r.lease.id);
  t.equal(claim.podUid, POD_A);
  t.equal(claim.podPath, podA);
  t.ok(audits.some((a) => a.event === 'grant' && a.rpc === 'RedeemClaim'), 'the fds are audited like an Acquire');
  t.ok(events.some((e) => e.kind === 'claim-redeemed' && e.claimId === claim.id && e.leaseId === r.lease.id));

  // Same pod, while leased: refused (one lease per claim).
  const w2 = inPod(101, podA);
  await t.rejects(svc.claims.redeem(w2.c, w2.s.id, w2.s.secret, claim.id, token), PreconditionError);

  // The container exits: the lease ends, the claim is reserved again for the same pod.
  svc.closeSession(w.s.id);
  t.equal(claim.state, 'reserved');
  t.equal(claim.podUid, POD_A);
  t.equal(svc.claims.table.claimOf(1), claim, 'still reserved against everyone else');
  const again = await svc.claims.redeem(w2.c, w2.s.id, w2.s.secret, claim.id, token);
  t.equal(claim.leaseId, again.lease.id, 'a restarted container of the same pod redeems again');

  // EndClaim ends the lease too.
  svc.claims.end(root, claim.id, 'pod deleted');
  t.equal(svc.leases.get(again.lease.id), undefined);
  t.equal(svc.leases.ownerOf(1), undefined);
});

t.test('refusals, each audited: wrong token, another pod, no pod, an ended claim, an unknown claim, a dead caller', async (t) => {
  const { svc, audits, inPod, cgroupOf, host } = setup();
  const { claim, token } = create(svc);
  const refused = async (what: string, p: Promise<unknown>, type: unknown, msg: RegExp) => {
    const n = audits.length;
    const e = (await p.catch((x: unknown) => x)) as { message: string; status: string };
    t.type(e, type as never, what);
    t.match(e.message, msg, what);
    const a = audits.slice(n).find((x) => x.event === 'refusal');
    t.equal(a?.rpc, 'RedeemClaim', `${what}: audited`);
    t.equal(a?.status, e.status, `${what}: audited with its status`);
  };
  const a = inPod(200, podA);
  await refused('wrong token', svc.claims.redeem(a.c, a.s.id, a.s.secret, claim.id, `${token}x`), PermissionDeniedError, /wrong token/);
  t.equal(claim.podUid, undefined, 'a wrong token binds nothing');
  const r = await svc.claims.redeem(a.c, a.s.id, a.s.secret, claim.id, token);
  svc.release(a.c, a.s.id, a.s.secret, r.lease.id);
  t.equal(claim.state, 'reserved');

  const b = inPod(300, podB);
  await refused('stolen token in another pod', svc.claims.redeem(b.c, b.s.id, b.s.secret, claim.id, token), PermissionDeniedError, new RegExp(`bound to pod ${POD_A}; the caller runs in pod ${POD_B}`));
  const none = inPod(301, null);
  await refused('stolen token outside any pod', svc.claims.redeem(none.c, none.s.id, none.s.secret, claim.id, token), PermissionDeniedError, /the caller runs in no pod/);

  const a2 = inPod(202, podA);
  cgroupOf.delete(202);
  await refused('cgroup unreadable', svc.claims.redeem(a2.c, a2.s.id, a2.s.secret, claim.id, token), PreconditionError, /cannot tell which pod pid 202/);
  const a3 = inPod(203, podA);
  host.alive = (pid: number) => pid !== 203;
  await refused('the connecting process is gone (pid may be reused)', svc.claims.redeem(a3.c, a3.s.id, a3.s.secret, claim.id, token), PreconditionError, /gone/);
  host.alive = () => true;

  svc.claims.end(root, claim.id, 'pod deleted');
  const a4 = inPod(204, podA);
  await refused('an ended claim', svc.claims.redeem(a4.c, a4.s.id, a4.s.secret, claim.id, token), NotFoundError, new RegExp(`claim ${claim.id} ended at .*pod deleted`));
  await refused('an unknown claim', svc.claims.redeem(a4.c, a4.s.id, a4.s.secret, 'C-nope', token), NotFoundError, /no claim C-nope/);
});

t.test('a claim first redeemed outside any pod stays with no-pod callers', async (t) => {
  const { svc, inPod } = setup();
  const { claim, token } = create(svc);
  const a = inPod(400, null);
  const r = await svc.claims.redeem(a.c, a.s.id, a.s.secret, claim.id, token);
  t.equal(claim.podUid, '');
  svc.release(a.c, a.s.id, a.s.secret, r.lease.id);
  const p = inPod(401, podA);
  await t.rejects(svc.claims.redeem(p.c, p.s.id, p.s.secret, claim.id, token), PermissionDeniedError);
});

t.test('TTL: an unredeemed claim past it ends; a redeemed one does not', async (t) => {
  let now = new Date('2026-01-01T00:00:00Z');
  const host = new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])]);
  const cg = new Map<number, string>([[7, `0::${podA}/c\n`]]);
  const svc = new BrokerService({ host, policy: () => parsePolicy({ rules: [] }, names), audit: () => {}, deliver: async (_s, _r, items) => { for (const it of items) if (!it.keep) it.fd.close(); }, notify: () => {}, now: () => now, cgroups: { cgroupOf: (p) => cg.get(p) ?? null, exists: () => true } });
  const a = svc.claims.create(root, { groups: [1], devices: [], mode: 'legacy', ownerRef: '', ttlSeconds: 30 });
  const b = svc.claims.create(root, { groups: [2], devices: [], mode: 'legacy', ownerRef: '', ttlSeconds: 30 });
  t.equal(a.claim.expires?.toISOString(), '2026-01-01T00:00:30.000Z');
  const w = nobody(7);
  const s = svc.openSession(w);
  await svc.claims.redeem(w, s.id, s.secret, b.claim.id, b.token);
  now = new Date('2026-01-01T00:00:29Z');
  t.same(svc.claims.sweep(), []);
  now = new Date('2026-01-01T00:00:31Z');
  t.same(svc.claims.sweep().map((c) => c.id), [a.claim.id], 'only the unredeemed one');
  t.equal(svc.claims.table.claimOf(1), undefined);
  t.ok(svc.claims.table.claimOf(2));
});

t.test('the bound pod\'s cgroup goes: its claim and its lease end', async (t) => {
  const { svc, inPod, existing, events } = setup();
  const { claim, token } = create(svc);
  const other = create(svc, { groups: [2] });
  const w = inPod(500, podA);
  const r = await svc.claims.redeem(w.c, w.s.id, w.s.secret, claim.id, token);
  t.same(svc.claims.sweep(), [], 'pod still there');
  existing.delete(podA);
  t.same(svc.claims.sweep().map((c) => c.id), [claim.id]);
  t.equal(svc.leases.get(r.lease.id), undefined, 'the lease ended with it');
  t.match(events.find((e) => e.kind === 'claim-ended')?.reason, /pod 11111111-.* is gone/);
  t.ok(svc.claims.table.get(other.claim.id), 'an unbound claim is untouched');
});

t.test('claims survive a restart through their journal (token hashed), leased ones reserved again when their lease is gone', async (t) => {
  const journal: Claim[][] = [];
  const first = setup(undefined, journal);
  const a = create(first.svc);
  const b = create(first.svc, { groups: [2] });
  const w = first.inPod(600, podA);
  await first.svc.claims.redeem(w.c, w.s.id, w.s.secret, a.claim.id, a.token);
  const last = journal.at(-1)!;
  t.same(last.map((c) => c.state).sort(), ['leased', 'reserved']);
  const entries = last.map(toClaimEntry);
  const text = JSON.stringify(entries);
  t.notOk(text.includes(a.token) || text.includes(b.token), 'no token in the journal');
  for (const e of entries) t.equal(claimEntryProblem(JSON.parse(JSON.stringify(e))), null);
  t.match(claimEntryProblem({ ...entries[0], tokenHash: 'x' }), /tokenHash/);
  t.match(claimEntryProblem({ ...entries[0], groups: [] }), /groups/);

  // The new daemon: no lease came back (its owner was gone).
  const second = setup();
  const { restored } = second.svc.claims.restore(JSON.parse(text).map(fromClaimEntry));
  t.equal(restored.length, 2);
  const ra = second.svc.claims.table.get(a.claim.id)!;
  t.equal(ra.state, 'reserved');
  t.equal(ra.podUid, POD_A, 'still bound to its pod');
  const user: Caller = { pid: 9, uid: 1000, gid: 1000, groups: [] };
  const s = second.svc.openSession(user);
  await t.rejects(second.svc.acquire(user, { sessionId: s.id, secret: s.secret, groups: [2], devices: [], mode: 'legacy', onlyRequested: false, managed: false }), GroupOwnedError, 'the restored claim still reserves');
  const again = second.inPod(601, podA);
  const r = await second.svc.claims.redeem(again.c, again.s.id, again.s.secret, a.claim.id, a.token);
  t.equal(r.lease.groups[0], 1, 'the same token redeems after the restart');
  const thief = second.inPod(602, podB);
  await t.rejects(second.svc.claims.redeem(thief.c, thief.s.id, thief.s.secret, b.claim.id, `${b.token}-`), PermissionDeniedError);
});

t.test('iommufd claims deliver /dev/iommu and the cdev', async (t) => {
  const { svc, inPod } = setup();
  const { claim, token } = create(svc, { mode: 'iommufd' });
  const w = inPod(700, podA);
  const r = await svc.claims.redeem(w.c, w.s.id, w.s.secret, claim.id, token);
  t.same(r.delivered.map((d) => d.role), ['iommufd', 'cdev']);
  t.equal(r.lease.mode, 'iommufd');
});
