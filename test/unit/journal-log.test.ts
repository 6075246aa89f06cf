/**
 * The incremental journal: a snapshot (leases.json) plus an append-only log of
 * lease records (leases.log). Appends carry only what changed, compaction folds
 * the log into a new snapshot, journals from before the log still restore, and
 * a corrupt or hostile record costs that record, never the start.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { LeaseJournal } from '../../src/daemon/journal.js';
import type { Lease } from '../../src/broker/lease-table.js';

const lease = (id: string, groups: number[], pid = 10): Lease => ({
  id, groups, sessionId: 'S-1', owner: { pid, uid: 1000, gid: 1000, groups: [] }, mode: 'legacy', since: new Date(0), state: 'active',
  devices: [], rule: 'u', memlockBytes: 0, managed: false, allowShare: false, secret: `secret-${id}`,
});
const ids = (j: LeaseJournal) => j.read().entries.map((e) => e.id).sort();
const logLines = (dir: string) => fs.readFileSync(path.join(dir, 'leases.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

t.test('first write is a snapshot; later writes append only what changed', async (t) => {
  const dir = t.testdir();
  const j = new LeaseJournal(dir, 'boot-1');
  const a = lease('L-a', [1]);
  const b = lease('L-b', [2]);
  j.write([a]);
  t.equal(j.stats.snapshots, 1);
  t.same(logLines(dir).map((r) => r.k), ['log'], 'a fresh log naming the snapshot');
  j.write([a, b]);
  t.equal(logLines(dir).length, 2);
  t.equal(logLines(dir)[1].v.id, 'L-b', 'only the new lease appended');
  t.equal(j.stats.records, 1);
  j.write([a, b]);
  t.equal(j.stats.appends, 1, 'nothing changed: nothing written');
  // A re-attach replaces the owner object: that lease is written again.
  a.owner = { ...a.owner, pid: 11 };
  j.write([b, a]);
  t.same(logLines(dir).slice(1).map((r) => r.v?.id ?? r.id), ['L-b', 'L-a']);
  j.write([a]);
  t.same(logLines(dir).at(-1), { k: 'end', id: 'L-b' });
  t.same(ids(new LeaseJournal(dir, 'boot-1')), ['L-a'], 'a restart replays the log over the snapshot');
  t.equal(new LeaseJournal(dir, 'boot-1').read().entries[0].owner.pid, 11, 'with the latest record');
  t.same(new LeaseJournal(dir, 'boot-1').read().dropped, []);
  t.same(ids(new LeaseJournal(dir, 'boot-2')), [], 'another boot: nothing');
});

t.test('compaction: the log is folded into a snapshot once it grows past its bound', async (t) => {
  const dir = t.testdir();
  const j = new LeaseJournal(dir, 'boot-1', 4);
  const live: Lease[] = [];
  for (let i = 0; i < 20; i++) {
    live.push(lease(`L-${i}`, [i]));
    if (live.length > 3) live.shift();
    j.write([...live]);
  }
  t.ok(j.stats.snapshots > 1, `compacted ${j.stats.snapshots - 1} times`);
  t.ok(logLines(dir).length <= 1 + 6 + 2, 'the log stays bounded (header, its bound, one last batch)');
  t.same(ids(new LeaseJournal(dir, 'boot-1')), live.map((l) => l.id).sort());
  t.notOk(fs.existsSync(path.join(dir, 'leases.json.tmp')) || fs.existsSync(path.join(dir, 'leases.log.tmp')), 'no temporary files left');
});

t.test('a crash between a new snapshot and the new log: the old log is ignored', async (t) => {
  const dir = t.testdir();
  const j = new LeaseJournal(dir, 'boot-1');
  j.write([lease('L-a', [1])]);
  j.write([lease('L-a', [1]), lease('L-b', [2])]);
  const oldLog = fs.readFileSync(path.join(dir, 'leases.log'));
  // The next daemon compacts (snapshot without L-b) but dies before replacing the log.
  const k = new LeaseJournal(dir, 'boot-1');
  k.compact([lease('L-a', [1])]);
  fs.writeFileSync(path.join(dir, 'leases.log'), oldLog);
  t.same(ids(new LeaseJournal(dir, 'boot-1')), ['L-a'], 'the L-b record belongs to the older snapshot');
});

t.test('a journal from before the log reads as before (upgrade keeps leases)', async (t) => {
  const dir = t.testdir();
  const entry = (id: string, g: number) => ({ id, groups: [g], owner: { pid: 10, uid: 1000, gid: 1000, groups: [] }, mode: 'legacy', since: new Date(0).toISOString(), devices: [], rule: 'u', memlockBytes: 0, managed: false, secret: 's' });
  fs.writeFileSync(path.join(dir, 'leases.json'), JSON.stringify({ version: 1, written: new Date(0).toISOString(), bootId: 'boot-1', leases: [entry('L-old', 1), entry('L-old2', 2)] }, null, 1));
  // A stray log (no generation in the snapshot names it) must not be replayed.
  fs.writeFileSync(path.join(dir, 'leases.log'), `${JSON.stringify({ k: 'log', v: 1, gen: 'x' })}\n${JSON.stringify({ k: 'end', id: 'L-old' })}\n`);
  const j = new LeaseJournal(dir, 'boot-1');
  t.same(ids(j), ['L-old', 'L-old2']);
});

t.test('hostile or torn records are dropped, each with why; the rest replays', async (t) => {
  const dir = t.testdir();
  const j = new LeaseJournal(dir, 'boot-1');
  j.write([lease('L-a', [1]), lease('L-b', [2])]);
  const good = JSON.stringify({ k: 'lease', v: { ...JSON.parse(JSON.stringify(lease('L-c', [3]))), since: new Date(0).toISOString() } });
  const lines = [
    'garbage', '[]', '{"k":7}', JSON.stringify({ k: 'claim', v: {} }), JSON.stringify({ k: 'end' }), JSON.stringify({ k: 'lease', v: 'x' }),
    JSON.stringify({ k: 'lease', v: { id: 'L-bad', groups: 'all' } }), // an entry that is no lease: dropped by the entry check
    JSON.stringify({ k: 'lease', v: { ...JSON.parse(good).v, id: 'L-dup', groups: [1] } }), // a group L-a holds: dropped
    'x'.repeat(70_000),
    good,
    JSON.stringify({ k: 'end', id: 'L-b' }),
    '{"k":"lease","v":{"id":"L-torn"', // a torn last append
  ];
  fs.appendFileSync(path.join(dir, 'leases.log'), lines.join('\n'));
  const r = new LeaseJournal(dir, 'boot-1').read();
  t.same(r.entries.map((e) => e.id).sort(), ['L-a', 'L-c']);
  t.equal(r.dropped.length, 10, r.dropped.map((d) => d.reason).join('; '));
  t.match(r.dropped.map((d) => d.reason).join('\n'), /unknown record kind "claim"/);
  t.match(r.dropped.map((d) => d.reason).join('\n'), /torn/);
  t.match(r.dropped.map((d) => d.reason).join('\n'), /group 1 is already held by lease L-a/);
  // A log whose header is damaged: no record can be placed, the snapshot stands.
  const head = fs.readFileSync(path.join(dir, 'leases.log'), 'utf8').split('\n');
  fs.writeFileSync(path.join(dir, 'leases.log'), ['{"k":"log","v":1', ...head.slice(1)].join('\n'));
  t.same(ids(new LeaseJournal(dir, 'boot-1')), ['L-a', 'L-b']);
});
