/**
 * One user cannot starve another: the attacks on the daemon's resources, each
 * contained by a limit (src/broker/limits.ts), with the daemon's fd count back
 * at its baseline afterwards and another uid still served. The counts are scaled
 * to this machine (the limits, not the counts, are what is under test): a
 * never-reading pinger, 3,000 OpenDevice calls on a session that does not read,
 * 300 sessions from one uid, 50 Watch streams from one uid.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarness, ScriptedClient, otherUidServed } from '../fixtures/daemon-harness.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { realLibc } from '../../src/kernel/libc.js';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { DEFAULT_LIMITS } from '../../src/broker/limits.js';

const FLOOD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/seqpacket-flood.py');
const NOBODY = 65534;
const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const settle = () => new Promise((r) => setTimeout(r, 300));

type T = Test;

async function setup(t: T) {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  const h = await startHarness(host, { rules: [{ name: 'users', uids: [NOBODY, 4242], devices: { any: true } }] }, { limits: { ...DEFAULT_LIMITS, sessionStallSeconds: 3 } });
  t.teardown(() => h.close());
  return h;
}

function python(args: string[], uid?: number) {
  const c = spawn('python3', [FLOOD, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(uid !== undefined ? { uid, gid: NOBODY } : {}) });
  return new ScriptedClient(c);
}

t.test('a never-reading pinger is dropped when its queue fills', async (t) => {
  const h = await setup(t);
  const fd0 = fdCount();
  const p = python(['pinger', h.config.fdSocket, '20000'], NOBODY);
  const r = await p.step('pinger');
  t.ok(r.dropped, `the daemon dropped the session after ${r.sent} pings`);
  await settle();
  t.equal(h.daemon.service.sessions.size, 0, 'its session is gone');
  t.ok(fdCount() <= fd0 + 1, `daemon fds back near the baseline (${fdCount()} vs ${fd0})`);
  await otherUidServed(t, h);
});

t.test('OpenDevice flood on a session that does not read', async (t) => {
  const h = await setup(t);
  const fd0 = fdCount();
  // Root owns the silent session, so the per-uid counts do not apply: only the queue bounds it.
  const silent = python(['silent', h.config.fdSocket]);
  const hello = await silent.step('hello');
  const api = new ApiClient(h.config.apiSocket);
  t.teardown(() => api.close());
  const session = { id: hello.session, secret: hello.secret };
  const acq = await api.call('Acquire', { session, groups: [1] });
  const calls = Array.from({ length: 3000 }, () => api.call('OpenDevice', { session, lease_id: acq.lease_id, device: '0000:00:03.0' }, 60_000).then(() => 'OK', (e: BrokerCallError) => e.codeName));
  const codes = await Promise.all(calls);
  const tally: Record<string, number> = {};
  for (const c of codes) tally[c] = (tally[c] ?? 0) + 1;
  t.comment(`OpenDevice outcomes: ${JSON.stringify(tally)}`);
  // What the kernel's socket buffer took before the queue started, plus the queue: then dropped.
  t.ok((tally.OK ?? 0) < 1000, `${tally.OK} deliveries: the socket buffer, then at most sessionSendQueue more`);
  t.ok((tally.ABORTED ?? 0) >= 1, 'the delivery that overflowed the queue was aborted');
  api.close();
  silent.child.stdin!.end();
  await silent.exited;
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(h.daemon.service.leases.size, 0, 'the dropped session took its lease with it');
  t.ok(fdCount() <= fd0 + 2, `daemon fds back near the baseline (${fdCount()} vs ${fd0})`);
  await otherUidServed(t, h);
});

t.test('sessions per uid', async (t) => {
  const h = await setup(t);
  const p = python(['sessions', h.config.fdSocket, '300'], NOBODY);
  const r = await p.step('sessions');
  t.equal(r.hello, 64, 'the first 64 sessions open (sessionsPerUid)');
  t.equal(r.refused, 236, 'the rest are told RESOURCE_EXHAUSTED and dropped');
  await otherUidServed(t, h);
  p.child.stdin!.end();
  await p.exited;
});

t.test('Watch streams per uid', async (t) => {
  const h = await setup(t);
  const codes = await new Promise<string[]>((resolve) => {
    const c = h.client(NOBODY, [{ op: 'watch-many', n: 50 }]);
    void c.step('watch-many').then((l) => resolve(l.codes));
  });
  t.equal(codes.filter((c) => c === 'OK').length, 16, '16 streams open (watchesPerUid)');
  t.equal(codes.filter((c) => c === 'RESOURCE_EXHAUSTED').length, 34, 'the rest are refused RESOURCE_EXHAUSTED');
  await otherUidServed(t, h);
});
