import t from 'tap';
import { SessionTable } from '../../src/broker/session-table.js';
import { GrantTable } from '../../src/broker/grant-table.js';
import { NotFoundError, PermissionDeniedError, SessionMismatchError } from '../../src/broker/errors.js';

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

t.test('grants: grantee only, die with the lease', async (t) => {
  const gt = new GrantTable();
  gt.add({ token: 'tok', leaseId: 'L1', devices: ['d'], uid: 1001, pid: null, includeContainer: false, createdBy: cred(1, 1000), since: new Date() });
  gt.add({ token: 'tok2', leaseId: 'L1', devices: ['d'], uid: null, pid: 77, includeContainer: true, createdBy: cred(1, 1000), since: new Date() });
  t.equal(gt.redeem('tok', cred(5, 1001)).leaseId, 'L1');
  t.throws(() => gt.redeem('tok', cred(5, 1002)), PermissionDeniedError);
  t.throws(() => gt.redeem('tok2', cred(78, 1001)), PermissionDeniedError);
  t.equal(gt.redeem('tok2', cred(77, 5)).includeContainer, true);
  t.throws(() => gt.redeem('zzz', cred(5, 1001)), NotFoundError);
  t.equal(gt.ofLease('L1').length, 2);
  t.equal(gt.dropLease('L1'), 2);
  t.throws(() => gt.redeem('tok', cred(5, 1001)), NotFoundError);
});
