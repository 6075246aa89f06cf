/** The fd channel's datagram format: split deliveries, the tag and lease of a tagged one, and what decoding refuses. */
import t from 'tap';
import { MAX_FDS_PER_DATAGRAM, decodeDaemon, deliveryParts, encode } from '../../src/protocol/fd-protocol.js';
import { Arrivals } from '../../src/client/arrivals.js';
import type { OwnedFd } from '../../src/kernel/owned-fd.js';

const lease = { id: 'L-1', secret: 's', groups: [3], mode: 'legacy' as const, memlock_bytes: 0 };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ role: 'device' as const, device: `0000:00:${i}.0`, fd: i }));

t.test('a tagged delivery: the tag on every part, the lease on the last only', async (t) => {
  const parts = deliveryParts('R-1', items(MAX_FDS_PER_DATAGRAM + 1), { tag: 'abc', lease });
  t.equal(parts.length, 2);
  t.same(parts.map((p) => [p.header.type === 'fds' && p.header.tag, p.header.type === 'fds' && 'lease' in p.header]), [['abc', false], ['abc', true]]);
  const untagged = deliveryParts('R-2', items(1));
  t.notOk('tag' in untagged[0].header || 'lease' in untagged[0].header, 'no extra: the former header');
  const back = decodeDaemon(encode(parts[1].header), 1);
  t.same(back.type === 'fds' && back.lease, lease, 'decodes to the same lease');
});

t.test('decoding refuses a malformed tag or lease', async (t) => {
  const base = { type: 'fds', request: 'R', part: 0, last: true, fds: [] };
  t.throws(() => decodeDaemon(Buffer.from(JSON.stringify({ ...base, tag: 7 })), 0), /tag/);
  for (const bad of [{}, { ...lease, mode: 'vfio' }, { ...lease, groups: 'x' }, { ...lease, memlock_bytes: '0' }, null]) {
    t.throws(() => decodeDaemon(Buffer.from(JSON.stringify({ ...base, lease: bad })), 0), /lease/, JSON.stringify(bad));
  }
});

t.test('Arrivals: a tag waiter learns the request and lease when the last part lands; a cancelled one never fires', async (t) => {
  const closed: unknown[] = [];
  const a = new Arrivals((f) => closed.push(f));
  const fd = (n: number) => ({ fd: n }) as unknown as OwnedFd;
  const w = a.tagged('x');
  const gone = a.tagged('y');
  gone.cancel();
  let fired = false;
  void gone.promise.then(() => { fired = true; });
  a.add({ type: 'fds', request: 'R-1', part: 0, last: false, fds: [{ role: 'container' }], tag: 'x' }, [fd(1)]);
  a.add({ type: 'fds', request: 'R-1', part: 1, last: true, fds: [{ role: 'group', group: 3 }], tag: 'x', lease }, [fd(2)]);
  a.add({ type: 'fds', request: 'R-2', part: 0, last: true, fds: [], tag: 'y', lease }, []);
  t.same(await w.promise, { request: 'R-1', lease });
  const got = await a.take('R-1');
  t.same({ container: got.container, group: got.groups.get(3), all: got.all.length }, { container: fd(1), group: fd(2), all: 2 });
  await new Promise((r) => setImmediate(r));
  t.equal(fired, false);
  a.sweep(Date.now() + 60_000);
  t.same(closed, [], 'R-2 had no fds to close');
});
