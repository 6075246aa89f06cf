/**
 * Issue 10's connection and OpenDevice attacks at the issue's full scale (the
 * limits tests run them scaled down): 65,536 fd-channel connections from one
 * uid, and 70,000 concurrent OpenDevice calls on a session that never reads.
 * Each must leave the daemon's fds and memory bounded and another uid served.
 * The attackers run in their own processes; the daemon runs in this one, so its
 * RSS is this process's.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarness, ScriptedClient, cleanEnv, nodeScript, otherUidServed, outsideTap, type Harness } from '../fixtures/daemon-harness.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { realLibc } from '../../src/kernel/libc.js';
import { ApiClient } from '../../src/client/api-client.js';
import { DEFAULT_LIMITS } from '../../src/broker/limits.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FLOOD = path.join(here, '../fixtures/seqpacket-flood.py');
const OPEN_FLOOD = path.join(here, '../fixtures/open-device-flood.ts');
const NOBODY = 65534;
const CONNECTIONS = Number(process.env.VFIO_BROKER_ATTACK_CONNECTIONS ?? 65_536);
const OPEN_CALLS = Number(process.env.VFIO_BROKER_ATTACK_OPEN_CALLS ?? 70_000);
const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function setup(t: Test): Promise<Harness> {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  // A short stall limit: with calls in flight bounded per connection, time is what drops the silent session.
  const h = await startHarness(host, { rules: [{ name: 'users', uids: [NOBODY, 4242], devices: { any: true } }] }, { limits: { ...DEFAULT_LIMITS, sessionStallSeconds: 3 } }, { keepLogs: false });
  t.teardown(() => h.close());
  return h;
}

t.test(`${CONNECTIONS.toLocaleString('en')} fd-channel connections from one uid, all held open`, async (t) => {
  const h = await setup(t);
  const fd0 = fdCount();
  const rss0 = process.memoryUsage().rss;
  // The attacker holds every socket it opens, spread over processes of uid 65534
  // so that each stays under a common fd limit (16,384 each).
  const per = 16_384;
  const procs = Array.from({ length: Math.ceil(CONNECTIONS / per) }, (_, i) => new ScriptedClient(spawn('python3',
    [FLOOD, 'sessions', h.config.fdSocket, String(Math.min(per, CONNECTIONS - i * per))], { stdio: ['pipe', 'pipe', 'pipe'], uid: NOBODY, gid: NOBODY })));
  let peakFds = 0;
  const sample = setInterval(() => { peakFds = Math.max(peakFds, fdCount()); }, 100);
  const rs = await Promise.all(procs.map((p) => p.step('sessions', 600_000)));
  clearInterval(sample);
  const sum = (k: 'hello' | 'refused') => rs.reduce((a, r) => a + (r[k] ?? 0), 0);
  t.comment(`${procs.length} attacker processes; daemon fds peak ${peakFds} (baseline ${fd0}); RSS ${mib(process.memoryUsage().rss)} (baseline ${mib(rss0)}); ${procs.map((p) => p.stderr.slice(-200)).join('')}`);
  t.equal(sum('hello'), 64, 'exactly 64 sessions open (sessionsPerUid)');
  t.equal(sum('refused'), CONNECTIONS - 64, 'every other connection is told RESOURCE_EXHAUSTED and closed by the daemon');
  t.ok(peakFds < fd0 + 64 + 256, `the daemon never held more than its 64 sessions plus the accepts in flight (peak ${peakFds})`);
  t.ok(process.memoryUsage().rss - rss0 < 256 * 2 ** 20, 'memory bounded');
  await otherUidServed(t, h);
  for (const p of procs) p.child.stdin!.end();
  await Promise.all(procs.map((p) => p.exited));
});

t.test(`${OPEN_CALLS.toLocaleString('en')} concurrent OpenDevice calls on a session that does not read`, async (t) => {
  const h = await setup(t);
  const fd0 = fdCount();
  const silent = new ScriptedClient(spawn('python3', [FLOOD, 'silent', h.config.fdSocket], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const hello = await silent.step('hello');
  const api = new ApiClient(h.config.apiSocket);
  t.teardown(() => api.close());
  const acq = await api.call('Acquire', { session: { id: hello.session, secret: hello.secret }, groups: [1] });
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  let peakFds = 0;
  const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); peakFds = Math.max(peakFds, fdCount()); }, 100);
  const flood = new ScriptedClient(spawn(...outsideTap(process.execPath, [...nodeScript(OPEN_FLOOD), h.config.apiSocket, hello.session, hello.secret, acq.lease_id, '0000:00:03.0', String(OPEN_CALLS)]),
    { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }));
  const r = await flood.step('flood', 900_000);
  clearInterval(sample);
  t.comment(`outcomes ${JSON.stringify(r.tally)} in ${r.ms} ms; daemon RSS peak ${mib(peakRss)} (before ${mib(rss0)}), fds peak ${peakFds} (baseline ${fd0}); ${flood.stderr.slice(-300)}`);
  const total = Object.values(r.tally as Record<string, number>).reduce((a, b) => a + b, 0);
  t.equal(total, OPEN_CALLS, 'every call was answered');
  t.ok((r.tally.OK ?? 0) < 1000, `${r.tally.OK ?? 0} deliveries: the socket buffer, then at most sessionSendQueue more`);
  t.ok((r.tally.ABORTED ?? 0) >= 1, 'the deliveries waiting when the session was dropped were aborted');
  t.ok(peakFds < fd0 + 300 + 64, `the daemon's fds stayed bounded by the session queue (peak ${peakFds})`);
  t.ok(peakRss - rss0 < 512 * 2 ** 20, `memory bounded (grew ${mib(peakRss - rss0)} at most)`);
  api.close();
  silent.child.stdin!.end();
  await silent.exited;
  await new Promise((res) => setTimeout(res, 1500));
  t.equal(h.daemon.service.leases.size, 0, 'the dropped session took its lease with it');
  await otherUidServed(t, h);
});
