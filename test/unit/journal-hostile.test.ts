/**
 * A corrupt or hostile lease journal costs the bad entries, never the start:
 * systemd would otherwise restart the daemon into the same file forever.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { LeaseJournal, fromEntry } from '../../src/daemon/journal.js';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const policy = parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true } }] }, { user: () => undefined, group: () => undefined });
const groups = () => [1, 2, 3].map((g) => group(g, [edu(`0000:00:0${g + 2}.0`)]));

const good = (id: string, gs: number[], pid = 10) => ({
  id, groups: gs, owner: { pid, uid: 1000, gid: 1000, groups: [] }, mode: 'legacy', since: new Date(0).toISOString(),
  devices: [], rule: 'u', memlockBytes: 0, managed: false, secret: `secret-${id}`,
});
const file = (leases: unknown[], boot = 'boot-1') => JSON.stringify({ version: 1, written: new Date(0).toISOString(), bootId: boot, leases });

/** Read the journal as a starting daemon does and restore what it returns. */
function start(t: Test, text: string | Buffer) {
  const dir = t.testdir();
  fs.writeFileSync(path.join(dir, 'leases.json'), text);
  const journal = new LeaseJournal(dir, 'boot-1');
  const svc = new BrokerService({ host: new FakeHost(groups()), policy: () => policy, audit: () => {}, deliver: async () => {}, notify: () => {}, journal });
  const read = journal.read();
  const { restored } = svc.restore(read.entries.map(fromEntry), new Map());
  return { dir, journal, svc, read, restored: restored.map((l) => l.id) };
}

t.test('attack: a group listed by two leases: the first keeps it, the second is dropped, the start goes on', async (t) => {
  let r!: ReturnType<typeof start>;
  t.doesNotThrow(() => { r = start(t, file([good('lease-a', [1]), good('lease-b', [2, 1], 11), good('lease-c', [3])])); }, 'restore does not throw');
  t.same(r.restored, ['lease-a', 'lease-c'], 'every valid entry kept');
  t.same(r.read.dropped, [{ index: 1, id: 'lease-b', reason: 'group 1 is already held by lease lease-a, listed earlier' }]);
  t.equal(r.svc.leases.ownerOf(1)?.id, 'lease-a');
  t.notOk(r.svc.leases.ownerOf(2), 'the dropped lease holds nothing');
  t.same(r.journal.read().entries.map((e) => e.id), ['lease-a', 'lease-c'], 'the journal is rewritten without it');
});

t.test('attack: a lease id listed twice keeps the first', async (t) => {
  const r = start(t, file([good('lease-a', [1]), good('lease-a', [2])]));
  t.same(r.restored, ['lease-a']);
  t.match(r.read.dropped, [{ index: 1, reason: /lease id lease-a appears twice/ }]);
});

t.test('attack: a bad timestamp drops that entry (it would make every later journal write throw)', async (t) => {
  let r!: ReturnType<typeof start>;
  t.doesNotThrow(() => { r = start(t, file([{ ...good('lease-a', [1]), since: 'yesterday-ish' }, good('lease-b', [2])])); });
  t.same(r.restored, ['lease-b']);
  t.same(r.read.dropped, [{ index: 0, id: 'lease-a', reason: 'since "yesterday-ish" is not a timestamp' }]);
  t.same(r.journal.read().entries.map((e) => e.id), ['lease-b'], 'the journal can be written again');
});

t.test('attack: wrong types in an entry drop that entry, each with a reason', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'lease-x', /not an object/],
    ['groups as a string', { ...good('l-1', [1]), groups: '1' }, /groups is not a list/],
    ['a group as a string', { ...good('l-2', [1]), groups: ['1'] }, /not a group number/],
    ['a negative group', { ...good('l-3', [1]), groups: [-1] }, /not a group number/],
    ['no owner', { ...good('l-4', [1]), owner: null }, /owner is missing/],
    ['pid as a string', { ...good('l-5', [1]), owner: { ...good('x', [1]).owner, pid: '10' } }, /owner pid "10" is not a pid/],
    ['unknown mode', { ...good('l-6', [1]), mode: 'raw' }, /mode "raw" is not a mode/],
    ['device path escape', { ...good('l-7', [1]), devices: ['../../etc'] }, /devices is not a list of device names/],
    ['memlock as a string', { ...good('l-8', [1]), memlockBytes: '1g' }, /memlockBytes "1g" is not a byte count/],
    ['managed as a string', { ...good('l-9', [1]), managed: 'yes' }, /managed is not true or false/],
    ['no secret', { ...good('l-10', [1]), secret: '' }, /secret is missing/],
    ['an id that is an object', { ...good('l-11', [1]), id: { toString: 1 } }, /is not a lease id/],
    ['a huge id', { ...good('l-12', [1]), id: 'x'.repeat(100_000) }, /is not a lease id/],
  ];
  const r = start(t, file([...cases.map((c) => c[1]), good('lease-ok', [1])]));
  t.same(r.restored, ['lease-ok'], 'the valid entry after them all is restored');
  for (const [i, [name, , reason]] of cases.entries()) t.match(r.read.dropped[i], { index: i, reason }, name);
  t.ok(r.read.dropped.every((d) => d.reason.length < 200), 'reasons quote client-controlled text clipped');
});

for (const [name, text] of [
  ['a truncated file', file([good('lease-a', [1])]).slice(0, 60)],
  ['garbage', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x7b])],
  ['an unknown format', JSON.stringify({ version: 99, leases: 'all of them' })],
  ['JSON that is not an object', 'null'],
] as const) {
  t.test(`attack: ${name}: no leases restored, the file moved aside, the start goes on`, async (t) => {
    let r!: ReturnType<typeof start>;
    t.doesNotThrow(() => { r = start(t, text); });
    t.same(r.restored, []);
    t.match(r.read.unreadable, /leases\.json .*; moved to .*leases\.json\.unreadable/);
    t.equal(fs.readFileSync(path.join(r.dir, 'leases.json.unreadable')).length, Buffer.from(text).length, 'kept for the operator');
    t.same(r.journal.read(), { entries: [], dropped: [], found: true, staleBoot: false }, 'a fresh journal was written');
  });
}

t.test('attack: the daemon starts on a hostile journal, restores the valid lease and logs every drop', async (t) => {
  const stateDir = t.testdir();
  fs.writeFileSync(path.join(stateDir, 'leases.json'), file([
    good('lease-a', [1], process.pid), good('lease-b', [1], process.pid), { ...good('lease-c', [2], process.pid), since: 'never' }, 42,
  ], 'test-boot'));
  const h = await startHarness(new FakeHost(groups()), { rules: [] }, { stateDir });
  t.teardown(() => h.close());
  t.same(h.daemon.service.leases.all().map((l) => l.id), ['lease-a']);
  const drops = h.logs.filter((l: any) => /^lease journal entry/.test(l.msg)).map((l: any) => l.msg);
  t.same(drops, [
    'lease journal entry 1 (lease-b) dropped: group 1 is already held by lease lease-a, listed earlier',
    'lease journal entry 2 (lease-c) dropped: since "never" is not a timestamp',
    'lease journal entry 3 dropped: not an object',
  ]);
});

t.test('attack: the daemon starts on a truncated journal and says so', async (t) => {
  const stateDir = t.testdir();
  fs.writeFileSync(path.join(stateDir, 'leases.json'), file([good('lease-a', [1], process.pid)], 'test-boot').slice(0, 50));
  const h = await startHarness(new FakeHost(groups()), { rules: [] }, { stateDir });
  t.teardown(() => h.close());
  t.equal(h.daemon.service.leases.size, 0);
  t.match(h.logs.find((l: any) => l.level === 50), { msg: /lease journal .*leases\.json cannot be read: .*moved to .*: starting with no leases restored/ });
});
