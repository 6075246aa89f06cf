import t from 'tap';
import { SessionTable } from '../../src/broker/session-table.js';
import { GrantTable, type Grant } from '../../src/broker/grant-table.js';
import { NotFoundError, PermissionDeniedError, QuotaError, SessionMismatchError } from '../../src/broker/errors.js';

const cred = (pid: number, uid: number) => ({ pid, uid, gid: uid, groups: [] });

t.test('session authorization: same pid, or same uid with the secret', async (t) => {
  const st = new SessionTable();
  st.add({ id: 's1', secret: 'k'.repeat(32), cred: cred(10, 1000), since: new Date() });
  t.equal(st.authorize('s1', undefined, cred(10, 1000)).id, 's1');
  t.equal(st.authorize('s1', 'k'.repeat(32), cred(11, 1000)).id, 's1');
  t.throws(() => st.authorize('s1', 'wrong', cred(11, 1000)), SessionMismatchError);
  t.throws(() => st.authorize('s1', 'k'.repeat(32), cred(12, 1001)), SessionMismatchError, 'other uid even with the secret');
  t.throws(() => st.authorize('nope', undefined, cred(10, 1000)), NotFoundError);
  t.throws(() => st.authorize(undefined, undefined, cred(10, 1000)), SessionMismatchError);
  st.remove('s1');
  t.equal(st.size, 0);
});

const NOW = new Date(10_000);
const grant = (o: Partial<Grant>): Grant => ({
  id: 'g', token: 'tok', leaseId: 'L1', devices: ['d'], groups: [1], uid: 1001, pid: null, includeContainer: false, singleUse: false,
  expires: new Date(NOW.getTime() + 60_000), redeemed: 0, createdBy: cred(1, 1000), since: NOW, ...o,
});

t.test('grants: grantee only, die with the lease', async (t) => {
  const gt = new GrantTable();
  gt.add(grant({}), NOW);
  gt.add(grant({ id: 'g2', token: 'tok2', uid: null, pid: 77, pidStartTime: '500', includeContainer: true }), NOW);
  t.equal(gt.redeem('tok', cred(5, 1001), NOW).leaseId, 'L1');
  t.throws(() => gt.redeem('tok', cred(5, 1002), NOW), PermissionDeniedError);
  t.throws(() => gt.redeem('tok2', { ...cred(78, 1001), startTime: '500' }, NOW), PermissionDeniedError);
  t.throws(() => gt.redeem('tok2', { ...cred(77, 5), startTime: '999' }, NOW), PermissionDeniedError, 'the pid reused by another process');
  t.equal(gt.redeem('tok2', { ...cred(77, 5), startTime: '500' }, NOW).includeContainer, true);
  t.throws(() => gt.redeem('zzz', cred(5, 1001), NOW), NotFoundError);
  t.equal(gt.ofLease('L1').length, 2);
  t.equal(gt.dropLease('L1'), 2);
  t.throws(() => gt.redeem('tok', cred(5, 1001), NOW), NotFoundError);
});

t.test('grants expire, may be single-use, are revoked by id, and are bounded per lease', async (t) => {
  const gt = new GrantTable();
  gt.add(grant({ expires: new Date(NOW.getTime() + 1000) }), NOW);
  t.equal(gt.redeem('tok', cred(5, 1001), NOW).redeemed, 1);
  t.throws(() => gt.redeem('tok', cred(5, 1001), new Date(NOW.getTime() + 1000)), NotFoundError, 'expired');
  gt.add(grant({ token: 'once', singleUse: true }), NOW);
  gt.redeem('once', cred(5, 1001), NOW);
  t.throws(() => gt.redeem('once', cred(5, 1001), NOW), NotFoundError, 'used up');
  gt.add(grant({ id: 'g3', token: 't3' }), NOW);
  t.equal(gt.revoke('L1', 'g3').token, 't3');
  t.throws(() => gt.revoke('L1', 'g3'), NotFoundError);
  gt.add(grant({ id: 'a', token: 'a' }), NOW, 2);
  gt.add(grant({ id: 'b', token: 'b' }), NOW, 2);
  t.throws(() => gt.add(grant({ id: 'c', token: 'c' }), NOW, 2), QuotaError, 'grantsPerLease');
});
