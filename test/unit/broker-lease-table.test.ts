import t from 'tap';
import { LeaseTable } from '../../src/broker/lease-table.js';
import { GroupOwnedError, AbortedError, NotFoundError } from '../../src/broker/errors.js';
import type { Caller } from '../../src/broker/types.js';

const caller = (pid: number, uid = 1000): Caller => ({ pid, uid, gid: uid, groups: [] });
let n = 0;
const table = () => new LeaseTable(() => `L${++n}`);
const req = (groups: number[], pid: number) => ({
  groups, sessionId: `S${pid}`, owner: caller(pid), mode: 'legacy' as const, devices: [], rule: 'r', memlockBytes: 0, managed: false, now: new Date(0),
});

t.test('one owner per group, refusal names the owner', async (t) => {
  const lt = table();
  const a = lt.reserve(req([7], 100), 's');
  t.equal(lt.ownerOf(7), a);
  const e = t.throws(() => lt.reserve(req([7], 200), 's')) as unknown as GroupOwnedError;
  t.type(e, GroupOwnedError);
  t.equal(e.status, 'ALREADY_EXISTS');
  t.equal(e.details['owner-pid'], 100);
  t.equal(e.details['owner-uid'], 1000);
  t.equal(e.details.since, new Date(0).toISOString());
  t.match(e.message, /pid 100, uid 1000/);
});

t.test('multi-group reserve is all or nothing', async (t) => {
  const lt = table();
  lt.reserve(req([2], 1), 's');
  t.throws(() => lt.reserve(req([1, 2, 3], 2), 's'), GroupOwnedError);
  t.equal(lt.ownerOf(1), undefined, 'group 1 not half-reserved');
  t.equal(lt.ownerOf(3), undefined);
  const l = lt.reserve(req([3, 1, 3], 2), 's');
  t.same(l.groups, [1, 3], 'deduplicated and sorted');
});

t.test('release is idempotent and frees groups', async (t) => {
  const lt = table();
  const l = lt.reserve(req([5, 6], 1), 's');
  t.equal(lt.release(l.id), l);
  t.equal(lt.release(l.id), undefined);
  t.equal(lt.ownerOf(5), undefined);
  t.equal(lt.size, 0);
  t.throws(() => lt.assertLive(l), AbortedError);
  t.throws(() => lt.mustGet(l.id), NotFoundError);
});

t.test('racing acquires through the event loop: exactly one owner per round', async (t) => {
  const lt = table();
  for (let round = 0; round < 200; round++) {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((r) => setImmediate(r));
        return lt.reserve(req([round], i), 's');
      }),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    if (winners.length !== 1) t.fail(`round ${round}: ${winners.length} owners`);
    for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof GroupOwnedError)) t.fail('unexpected error');
  }
  t.equal(lt.size, 200);
  t.equal(lt.countForUid(1000), 200);
});

t.test('restore refuses a group already owned', async (t) => {
  const lt = table();
  const l = lt.reserve(req([9], 1), 's');
  t.throws(() => lt.restore({ ...l, id: 'other' }), GroupOwnedError);
  t.same(lt.ofSession('S1').map((x) => x.id), [l.id]);
});
