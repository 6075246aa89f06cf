/**
 * 10^4 acquire/release cycles through the daemon's real sockets, with crashes
 * mixed in (a client vanishing with its lease held, or mid-acquire). Afterwards
 * the process's fd count is back at its baseline exactly and RSS growth is
 * bounded. Clients run in this process (the kernel is FakeHost with real
 * eventfds), so the count covers both sides. VFIO_BROKER_LEAK_CYCLES scales it.
 */
import t from 'tap';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { realLibc } from '../../src/kernel/libc.js';
import { BrokerClient } from '../../src/client/broker-client.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const CYCLES = Number(process.env.VFIO_BROKER_LEAK_CYCLES ?? 10_000);
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const fdList = () => new Map(fs.readdirSync('/proc/self/fd').map((f) => { try { return [f, fs.readlinkSync(`/proc/self/fd/${f}`)]; } catch { return [f, '?']; } }));
const settle = async (h: { daemon: { service: { leases: { size: number }; sessions: { size: number } } } }) => {
  for (let i = 0; i < 200 && (h.daemon.service.leases.size || h.daemon.service.sessions.size); i++) await new Promise((r) => setTimeout(r, 10));
};

t.test(`${CYCLES} acquire/release cycles with crashes: fds back to baseline, RSS bounded`, async (t) => {
  const groups = Array.from({ length: 8 }, (_, i) => group(i + 1, [edu(`0000:00:0${i + 1}.0`)]));
  // Root is always allowed (the clients are this process); the policy is the default.
  const h = await startHarness(new FakeHost(groups, { realFds: realLibc() }), { rules: [] }, {}, { keepLogs: false });
  const conn = { apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 };
  // Warm up (lazy loading, gRPC channel, buffers) before taking the baseline.
  for (let i = 0; i < 50; i++) { const c = await BrokerClient.connect(conn); await c.release(await c.acquire({ groups: [1] })); c.close(); }
  await settle(h);
  const heap0 = heap();
  const fd0 = fdCount();
  const list0 = fdList();
  const rss0 = process.memoryUsage().rss;
  let crashes = 0;
  let midCrashes = 0;
  const started = Date.now();
  const workers = 8;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    let c = await BrokerClient.connect(conn);
    for (let i = w; i < CYCLES; i += workers) {
      if (i % 97 === 0) {
        // Crash with the lease held: the session closes, the daemon ends the lease.
        await c.acquire({ groups: [w + 1] });
        c.close();
        crashes++;
        c = await BrokerClient.connect(conn);
      } else if (i % 211 === 0) {
        // Crash mid-acquire: the session is gone before the reply and the fds arrive.
        // (Only the fd channel is cut at once: a grpc-js channel closed in the middle
        // of its first connection attempt can keep that connection open, about once
        // in 50 tries here, which a real crash, closing every socket, does not do.)
        const p = c.acquire({ groups: [w + 1] }).catch(() => undefined);
        c.conn.close();
        await p;
        c.close();
        midCrashes++;
        c = await BrokerClient.connect(conn);
      } else {
        const lease = await c.acquire({ groups: [w + 1] });
        await c.release(lease);
      }
    }
    c.close();
  }));
  await settle(h);
  const secs = (Date.now() - started) / 1000;
  const heap1 = heap();
  const fd1 = fdCount();
  const rss1 = process.memoryUsage().rss;
  t.comment(`${CYCLES} cycles (${crashes} crashes holding a lease, ${midCrashes} mid-acquire) in ${secs.toFixed(1)} s; fds ${fd0} → ${fd1}; RSS ${(rss0 / 2 ** 20).toFixed(1)} → ${(rss1 / 2 ** 20).toFixed(1)} MiB; heap after GC ${(heap0 / 2 ** 20).toFixed(1)} → ${(heap1 / 2 ** 20).toFixed(1)} MiB`);
  t.equal(h.daemon.service.leases.size, 0, 'no lease left');
  t.equal(h.daemon.service.sessions.size, 0, 'no session left');
  const unix = fs.readFileSync('/proc/net/unix', 'utf8');
  const kind = (l: string) => { const ino = /socket:\[(\d+)\]/.exec(l)?.[1]; const row = ino && unix.split('\n').find((r) => r.trim().split(/\s+/)[6] === ino); return row ? `(type ${row.trim().split(/\s+/)[4]} ${row.trim().split(/\s+/)[7] ?? ''})` : ''; };
  const extra = [...fdList()].filter(([f, l]) => list0.get(f) !== l).map(([f, l]) => `${f}→${l}${kind(l)}`);
  t.equal(fd1, fd0, `the fd count is back at its baseline exactly ${extra.join(' ')}`);
  // RSS under tap includes V8 coverage buffers and an allocator that keeps freed
  // pages; the live heap after a full GC is what a leak would grow.
  t.ok(heap1 - heap0 < 16 * 2 ** 20, `live heap growth bounded (< 16 MiB after GC): ${((heap1 - heap0) / 2 ** 20).toFixed(1)} MiB`);
  t.ok(rss1 - rss0 < 256 * 2 ** 20, `RSS growth bounded (< 256 MiB): ${((rss1 - rss0) / 2 ** 20).toFixed(1)} MiB`);
  await h.close();
});
