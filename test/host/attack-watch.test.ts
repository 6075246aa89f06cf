/**
 * Issue 10's Watch attack, end to end over the real sockets: one uid opens 1,000
 * Watch{include_current} streams and never reads them while root runs
 * acquire/release cycles. watchesPerUid lets 16 open; each of those falls
 * watchQueue events behind and is ended with RESOURCE_EXHAUSTED naming the
 * limit; the daemon's fds and memory stay bounded and another uid is served.
 * Scale: 1,000 streams (as the issue), CYCLES acquire/release cycles (the issue
 * asks 10^4; the count is in the test name).
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realLibc } from '../../src/kernel/libc.js';
import { DEFAULT_LIMITS } from '../../src/broker/limits.js';
import { BrokerClient } from '../../src/client/broker-client.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { ScriptedClient, cleanEnv, outsideTap, startHarness } from '../fixtures/daemon-harness.js';

const UNREAD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/watch-unread.ts');
const NOBODY = 65534;
const CYCLES = Number(process.env.VFIO_BROKER_ATTACK_CYCLES ?? 1000);
// Lowered from 4096 so that CYCLES (scaled down from the 10^4 to run in about a minute) overflow it.
const WATCH_QUEUE = 256;
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

t.test(`1,000 unread Watch{include_current} streams from one uid during ${CYCLES} acquire/release cycles (watchQueue ${WATCH_QUEUE})`, async (t) => {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  const h = await startHarness(host, { rules: [{ name: 'users', uids: [NOBODY, 4242], devices: { any: true } }] }, { limits: { ...DEFAULT_LIMITS, watchQueue: WATCH_QUEUE } }, { keepLogs: false });
  t.teardown(() => h.close());
  const fd0 = fdCount();
  const rss0 = process.memoryUsage().rss;
  const w = new ScriptedClient(spawn(...outsideTap(process.execPath, ['--import', 'tsx', UNREAD, h.config.apiSocket, '1000']), {
    uid: NOBODY, gid: NOBODY, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(),
  }));
  await w.step('opened', 120_000);
  const tally = (codes: string[]) => codes.reduce<Record<string, number>>((a, c) => ({ ...a, [c]: (a[c] ?? 0) + 1 }), {});
  const root = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 });
  let peakFds = 0;
  for (let i = 0; i < CYCLES; i++) {
    const l = await root.acquire({ groups: [1] });
    await root.release(l);
    if (i % 500 === 0) peakFds = Math.max(peakFds, fdCount());
  }
  const rss = process.memoryUsage().rss;
  t.comment(`after ${CYCLES} cycles: ${h.daemon.service.leases.size} leases; fds ${fdCount()} (peak ${peakFds}, baseline ${fd0}); rss ${(rss / 2 ** 20).toFixed(0)} MiB (baseline ${(rss0 / 2 ** 20).toFixed(0)} MiB, daemon and client in this process)`);
  t.ok(peakFds < fd0 + 64, 'fd count bounded');
  t.ok(rss - rss0 < 512 * 2 ** 20, 'memory bounded (16 streams × watchQueue events at most)');
  w.child.stdin!.write('resume\n');
  const ended = (await w.step('ended', 120_000)).codes as string[];
  t.comment(`how the 1,000 streams ended: ${JSON.stringify(tally(ended))}`);
  t.same(tally(ended), { 'RESOURCE_EXHAUSTED watchesPerUid': 984, 'RESOURCE_EXHAUSTED watchQueue': 16 },
    '984 refused at open (watchesPerUid); the 16 that opened were ended RESOURCE_EXHAUSTED once they fell watchQueue events behind');
  await w.exited;
  const other = h.client(4242, [{ op: 'acquire', groups: [2] }, { op: 'release' }], { gid: NOBODY });
  t.equal((await other.step('acquire')).ok, true, 'another uid still acquires');
  await other.exited;
  root.close();
});
