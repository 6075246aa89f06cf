import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { AUDIT_MAX_FIELD, clipAudit, type AuditRecord } from '../../src/broker/audit.js';
import { AuditSink } from '../../src/daemon/logger.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const policy = parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true } }] }, { user: () => undefined, group: () => undefined });
const user = (pid: number) => ({ pid, uid: 1000, gid: 1000, groups: [] });
const HUGE = 'A'.repeat(1_000_000);
const BOUND = 4096;

/** A service whose audit goes through the daemon's real sink into a file and a captured log. */
function setup(t: Test) {
  const dir = t.testdir();
  const file = path.join(dir, 'audit.jsonl');
  const logLines: string[] = [];
  const sink = new AuditSink(pino({ level: 'info' }, { write: (s: string) => { logLines.push(s); } }), file);
  t.teardown(() => sink.close());
  const svc = new BrokerService({
    host: new FakeHost([group(1, [edu('0000:00:03.0')])]), policy: () => policy, audit: (r) => sink.write(r),
    deliver: async (_s, _r, items) => { for (const i of items) if (!i.keep) i.fd.close(); }, notify: () => {},
  });
  return { svc, sink, logLines, fileLines: () => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

t.test('attack: Release with a 1,000,000-character session id writes a bounded audit line', async (t) => {
  const { svc, logLines, fileLines } = setup(t);
  t.throws(() => svc.release(user(10), HUGE, undefined, 'lease-x'));
  const lines = fileLines();
  t.equal(lines.length, 1, 'one refusal recorded');
  t.ok(lines[0].length < BOUND, `audit file line is ${lines[0].length} bytes`);
  t.ok(logLines.every((l) => l.length < BOUND), 'log lines are bounded too');
  const rec = JSON.parse(lines[0]) as AuditRecord;
  t.match(rec, { event: 'refusal', rpc: 'Release' });
  t.match(rec.reason, /\(\d+ more characters\)$/, 'the clip is marked, with how much was cut');
});

t.test('attack: every string field, at any depth, is clipped (lease ids, device names, exe)', async (t) => {
  const { sink, fileLines } = setup(t);
  const r: AuditRecord = {
    audit: true, event: 'grant', time: new Date(0).toISOString(), rpc: HUGE, lease: HUGE, rule: HUGE, status: HUGE, reason: HUGE,
    who: { pid: 1, uid: 2, gid: 3, exe: HUGE }, groups: Array.from({ length: 100_000 }, (_, i) => i),
    fds: Array.from({ length: 10_000 }, () => ({ role: 'device' as const, device: HUGE })),
  };
  sink.write(r);
  const line = fileLines()[0];
  t.ok(line.length < 8 * BOUND, `a record with every field hostile is ${line.length} bytes`);
  const back = JSON.parse(line);
  for (const k of ['rpc', 'lease', 'rule', 'status', 'reason']) t.equal(back[k].length < AUDIT_MAX_FIELD + 40, true, `${k} clipped`);
  t.match(back.who.exe, /…\(999744 more characters\)$/);
  t.ok(back.groups.every((g: unknown) => typeof g === 'number'), 'groups stay numbers');
  t.equal(r.lease, HUGE, 'the caller\'s record is not modified');
});

t.test('short fields pass through unchanged', async (t) => {
  const r = { audit: true, event: 'release', time: 'x', rpc: 'Release', lease: 'l-1', who: { pid: 1, uid: 2, gid: 3 }, groups: [1, 2] } as AuditRecord;
  t.same(clipAudit(r), r);
});

t.test('a record within bounds is not copied; one past any bound, or holding a non-plain object, is', async (t) => {
  const r = { audit: true, event: 'grant', time: 'x', rpc: 'Acquire', lease: 'L-1', who: { pid: 1, uid: 2, gid: 3 }, groups: [1], fds: [{ role: 'device', device: 'd' }] } as AuditRecord;
  t.equal(clipAudit(r), r, 'the same object: nothing to clip');
  const long = { ...r, fds: [{ role: 'device', device: 'd'.repeat(AUDIT_MAX_FIELD + 1) }] } as AuditRecord;
  t.not(clipAudit(long), long);
  t.equal((clipAudit(long).fds as { device: string }[])[0].device.length < AUDIT_MAX_FIELD + 40, true, 'a nested long string is still clipped');
  const dated = { ...r, when: new Date(0) } as unknown as AuditRecord;
  t.same(clipAudit(dated), { ...r, when: {} }, 'a Date is rebuilt as before (clip keeps own fields only)');
});
