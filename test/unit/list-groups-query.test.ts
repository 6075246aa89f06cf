/**
 * ListGroups filters and paging (src/service/group-query.ts), and the encoder
 * that answers with groups encoded once (src/api/encoded.ts): its bytes must
 * decode to exactly what the ordinary serializer would have sent.
 */
import t from 'tap';
import { LeaseTable } from '../../src/broker/lease-table.js';
import { InvalidArgumentError } from '../../src/broker/errors.js';
import { MAX_PAGE_SIZE, pageToken, parseGroupQuery, queryGroups } from '../../src/service/group-query.js';
import { GroupEncoder, EventEncoder, Encoded, passEncoded } from '../../src/api/encoded.js';
import * as wire from '../../src/api/wire.js';
import { modesOf } from '../../src/service/inventory-view.js';
import { loadApi } from '../../src/protocol/proto.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const nic = (name: string) => ({ ...edu(name, null, 'ixgbe'), vendor: '0x8086', device: '0x1520', class: '0x020000' });

function setup() {
  const host = new FakeHost([
    group(1, [edu('0000:00:03.0', 'vfio0')]),
    group(2, [edu('0000:00:04.0', null)]),
    group(5, [nic('0000:05:00.0')]),
    group(7, [edu('0000:07:00.0', 'vfio7'), nic('0000:07:00.1')]),
    group(9, [edu('0000:09:00.0', 'vfio9')], { noiommu: true }),
  ]);
  let n = 0;
  const leases = new LeaseTable(() => `L-${++n}`);
  return { host, leases };
}

const owner = { pid: 42, uid: 1000, gid: 1000, groups: [], exe: '/usr/bin/qemu' };
const ids = (p: { groups: { group: { id: number } }[] }) => p.groups.map((g) => g.group.id);

t.test('no filter lists every group, unpaged', async (t) => {
  const { host, leases } = setup();
  const p = queryGroups(host, leases, {});
  t.same(ids(p), [1, 2, 5, 7, 9]);
  t.equal(p.nextPageToken, '');
  // An old client's request, decoded with defaults, is the same.
  t.same(ids(queryGroups(host, leases, loadApi().service.ListGroups.requestDeserialize(Buffer.alloc(0)) as object)), [1, 2, 5, 7, 9]);
});

t.test('filters: vendor:device, class prefix, free only, mode', async (t) => {
  const { host, leases } = setup();
  leases.reserve({ groups: [1], sessionId: 'S-1', owner, mode: 'legacy', now: new Date(), devices: [], rule: 'r', memlockBytes: 0, managed: false }, 's');
  t.same(ids(queryGroups(host, leases, { vendor_device: '8086:1520' })), [5, 7]);
  t.same(ids(queryGroups(host, leases, { vendor_device: '0x8086:' })), [5, 7]);
  t.same(ids(queryGroups(host, leases, { vendor_device: ':11E8' })), [1, 2, 7, 9]);
  t.same(ids(queryGroups(host, leases, { class: '0x02' })), [5, 7]);
  t.same(ids(queryGroups(host, leases, { class: '00ff' })), [1, 2, 7, 9]);
  t.same(ids(queryGroups(host, leases, { free_only: true })), [2, 5, 7, 9]);
  t.same(ids(queryGroups(host, leases, { mode: 'MODE_IOMMUFD' })), [1, 7], 'only groups whose every vfio-bound member has a cdev');
  t.same(ids(queryGroups(host, leases, { mode: 'MODE_LEGACY' })), [1, 2, 5, 7, 9]);
  t.same(ids(queryGroups(host, leases, { mode: 'MODE_UNSPECIFIED' })), [1, 2, 5, 7, 9], 'unset mode: any');
  t.same(ids(queryGroups(host, leases, { vendor_device: '1234:11e8', free_only: true, class: '0x00' })), [2, 7, 9], 'filters combine');
});

t.test('paging walks every match once, in order, with filters', async (t) => {
  const { host, leases } = setup();
  const seen: number[] = [];
  let token = '';
  let pages = 0;
  do {
    const p = queryGroups(host, leases, { page_size: 2, page_token: token });
    t.ok(p.groups.length <= 2);
    seen.push(...ids(p));
    token = p.nextPageToken;
    pages++;
  } while (token);
  t.same(seen, [1, 2, 5, 7, 9]);
  t.equal(pages, 3);
  const first = queryGroups(host, leases, { page_size: 1, vendor_device: '8086:' });
  t.same(ids(first), [5]);
  const second = queryGroups(host, leases, { page_size: 1, vendor_device: '8086:', page_token: first.nextPageToken });
  t.same(ids(second), [7]);
  t.equal(second.nextPageToken, '', 'an exactly full last page has no next token');
  // A page token survives the group it names going away.
  const p1 = queryGroups(host, leases, { page_size: 2 });
  host.groups = host.groups.filter((g) => g.id !== 2);
  t.same(ids(queryGroups(host, leases, { page_size: 2, page_token: p1.nextPageToken })), [5, 7]);
  t.same(ids(queryGroups(host, leases, { page_token: pageToken(7) })), [9]);
  t.same(ids(queryGroups(host, leases, { page_size: MAX_PAGE_SIZE })), [1, 5, 7, 9]);
});

t.test('bad filters and tokens are INVALID_ARGUMENT', async (t) => {
  for (const bad of [
    { page_token: 'garbage!' }, { page_token: Buffer.from('after:x').toString('base64url') }, { page_token: Buffer.from('before:3').toString('base64url') },
    { page_token: 'A'.repeat(100) }, { page_token: Buffer.from('after:99999999999').toString('base64url') }, { page_token: 7 },
    { page_size: MAX_PAGE_SIZE + 1 }, { page_size: -1 }, { page_size: 1.5 },
    { vendor_device: '8086' }, { vendor_device: ':' }, { vendor_device: '80861:1520' }, { vendor_device: 'zz:11' }, { vendor_device: '1:2:3' },
    { class: 'network' }, { class: '0x1234567' }, { mode: 'MODE_NONSENSE' },
  ]) {
    t.throws(() => parseGroupQuery(bad), InvalidArgumentError, JSON.stringify(bad));
  }
});

t.test('the encoder answers what the ordinary serializer would, reusing each group', async (t) => {
  const { host, leases } = setup();
  const lease = leases.reserve({ groups: [7], sessionId: 'S-1', owner, mode: 'legacy', now: new Date(), devices: [], rule: 'r', memlockBytes: 0, managed: false }, 's');
  const { ListGroups } = loadApi().service;
  const enc = new GroupEncoder();
  for (const sees of [() => true, () => false]) {
    const page = queryGroups(host, leases, { page_size: 4 });
    const got = ListGroups.responseDeserialize(enc.list(page.groups, sees, page.nextPageToken).bytes);
    const want = ListGroups.responseDeserialize(ListGroups.responseSerialize({
      groups: page.groups.map((g) => wire.group({ ...g, modes: modesOf(g.group) }, sees)), next_page_token: page.nextPageToken,
    }));
    t.same(got, want);
    t.equal((got as { groups: { owner: unknown }[] }).groups[3].owner !== null, true, 'the leased group carries its owner');
  }
  t.equal(enc.stats.encoded, 4, 'each group encoded once');
  t.equal(enc.stats.reused, 4);
  // A group the inventory replaced (a new object) is encoded afresh.
  host.groups = host.groups.map((g) => (g.id === 1 ? { ...g, type: 'identity' } : g));
  const again = ListGroups.responseDeserialize(enc.list(queryGroups(host, leases, {}).groups, () => true).bytes) as { groups: { id: number; type: string }[] };
  t.equal(again.groups[0].type, 'identity');
  t.equal(enc.stats.encoded, 6, 'the changed group and the one not encoded before');
  // Nothing changed: the same answer's bytes again. A lease change: a new answer.
  const q = () => enc.list(queryGroups(host, leases, {}).groups, () => true).bytes;
  const b1 = q();
  t.equal(q(), b1, 'same bytes reused');
  t.equal(enc.stats.answersReused, 2);
  leases.reserve({ groups: [2], sessionId: 'S-2', owner, mode: 'legacy', now: new Date(), devices: [], rule: 'r', memlockBytes: 0, managed: false }, 's');
  const b2 = q();
  t.not(b2, b1);
  t.equal((ListGroups.responseDeserialize(b2) as { groups: { owner: { lease_id: string } | null }[] }).groups[1].owner?.lease_id, 'L-2');
  leases.release('L-2');
  t.equal((ListGroups.responseDeserialize(q()) as { groups: { owner: unknown }[] }).groups[1].owner, null, 'released: no owner again');
  t.ok(lease);
});

t.test('an event is encoded once per view for every watcher; serializers pass Encoded through', async (t) => {
  const { Watch } = loadApi().service;
  const enc = new EventEncoder();
  const ev = { time: new Date().toISOString(), kind: 'lease-acquired', group: 3, leaseId: 'L-1', owner: { id: 'L-1', owner, since: new Date(), mode: 'legacy', sessionId: 'S-1' } } as never;
  const a = enc.encode(ev, true);
  const b = enc.encode(ev, true);
  const c = enc.encode(ev, false);
  t.equal(a.bytes, b.bytes, 'same buffer for a second watcher');
  t.equal(enc.stats.encoded, 2);
  t.equal((Watch.responseDeserialize(a.bytes) as { owner: { cred: { pid: number } } }).owner.cred.pid, 42);
  t.equal((Watch.responseDeserialize(c.bytes) as { owner: { cred: { pid: number } } }).owner.cred.pid, 0, 'others see no pid');
  const m = passEncoded(Watch);
  t.equal(m.responseSerialize(a as never), a.bytes);
  t.ok(m.responseSerialize({ kind: 'x' } as never).length > 0);
  t.ok(new Encoded(Buffer.alloc(0)));
});
