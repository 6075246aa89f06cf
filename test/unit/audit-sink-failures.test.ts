/**
 * The audit file on a full disk: nothing escapes the sink, failures are counted
 * and logged at a bounded rate, and a whole daemon keeps granting and releasing.
 * The disk is a real 1 MiB tmpfs filled to the last byte (the tests run as root).
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { AuditSink } from '../../src/daemon/logger.js';
import type { AuditRecord } from '../../src/broker/audit.js';
import { realLibc } from '../../src/kernel/libc.js';
import { ApiClient } from '../../src/client/api-client.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness, watchFor } from '../fixtures/daemon-harness.js';

const NOBODY = 65534;

/** A full 1 MiB tmpfs, or the reason there cannot be one here. */
function fullTmpfs(t: Test): { dir: string; free(): void } | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    fs.rmdirSync(dir);
    return `cannot mount a tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
  t.teardown(() => {
    execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  });
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(65536, 0x55);
  // Until the kernel refuses even one byte: no page is left half free for a short record.
  for (const size of [chunk.length, 1]) {
    try {
      for (;;) fs.writeSync(fd, chunk, 0, size);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    }
  }
  fs.closeSync(fd);
  return { dir, free: () => fs.rmSync(filler) };
}

const record = (i: number): AuditRecord => ({ audit: true, event: 'refusal', time: new Date(0).toISOString(), rpc: 'Acquire', who: { pid: i, uid: 1000, gid: 1000 }, status: 'PERMISSION_DENIED', reason: `request ${i}` });

t.test('attack: the audit file on a full disk: no throw escapes, every failure counted, few log lines', async (t) => {
  const disk = fullTmpfs(t);
  if (typeof disk === 'string') return t.plan(0, `skipped: ${disk}`);
  const lines: any[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  let now = 0;
  let failures = 0;
  const sink = new AuditSink(log, path.join(disk.dir, 'audit.jsonl'), { onWriteFailure: () => { failures++; }, now: () => now });
  t.teardown(() => sink.close());
  t.doesNotThrow(() => { for (let i = 0; i < 200; i++) sink.write(record(i)); }, '200 records written, none thrown');
  t.equal(failures, 200, 'every lost record counted');
  const warns = () => lines.filter((l) => /audit file write failed/.test(l.msg));
  t.equal(warns().length, 1, 'one warning, not one per record');
  t.match(warns()[0], { level: 40, err: /ENOSPC|no space/i });
  t.equal(lines.filter((l) => l.audit === true).length, 200, 'every record still reached the log');
  now += 61_000;
  sink.write(record(200));
  t.equal(warns().length, 2, 'a reminder once the quiet period has passed');
  t.match(warns()[1], { failures: 201, suppressed: 199 });

  disk.free();
  sink.write(record(201));
  t.match(lines.at(-1).msg, /writable again after 201 failed record/);
  const written = fs.readFileSync(path.join(disk.dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
  t.same(JSON.parse(written.at(-1)!).who.pid, 201, 'records go to the file again');
  t.ok(written.every((l) => { try { JSON.parse(l); return true; } catch { return false; } }), 'no torn line');
});

t.test('attack: a daemon whose audit file is on a full disk stays up and still grants and releases', async (t) => {
  const disk = fullTmpfs(t);
  if (typeof disk === 'string') return t.plan(0, `skipped: ${disk}`);
  const host = new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])], { realFds: realLibc() });
  const h = await startHarness(host, { rules: [{ name: 'nobody', uids: [NOBODY], devices: { any: true } }] }, { auditFile: path.join(disk.dir, 'audit.jsonl') });
  t.teardown(() => h.close());

  // Release through the RPC.
  const a = h.client(NOBODY, [{ op: 'acquire', groups: [1] }, { op: 'release' }, { op: 'exit' }]);
  t.match(await a.step('acquire'), { ok: true }, 'granted although the grant could not be written to the audit file');
  t.match(await a.step('release'), { ok: true });
  await a.exited;

  // Release by the session closing (the close handler writes the release record).
  const api = new ApiClient(h.config.apiSocket);
  t.teardown(() => api.close());
  const b = h.client(NOBODY, [{ op: 'acquire', groups: [2] }, { op: 'hold' }]);
  t.match(await b.step('acquire'), { ok: true });
  const { event } = await watchFor(api, 'lease-released');
  b.child.kill('SIGKILL');
  t.match(await event, { reason: /session closed/ });
  t.equal(h.daemon.service.leases.size, 0, 'both leases ended');

  const failures = (await h.daemon.metrics.auditWriteFailures.get()).values[0]?.value ?? 0;
  t.ok(failures >= 4, `failures counted in vfio_broker_audit_write_failures_total (${failures})`);
  const metricsText = await h.daemon.metrics.registry.metrics();
  t.match(metricsText, /vfio_broker_audit_write_failures_total \d+/);
  const warns = h.logs.filter((l: any) => /audit file write failed/.test(l.msg));
  t.ok(warns.length >= 1 && warns.length < failures, `rate-limited: ${warns.length} warning(s) for ${failures} failures`);
  t.equal(fs.statSync(path.join(disk.dir, 'audit.jsonl')).size, 0, 'nothing reached the full disk');
});
