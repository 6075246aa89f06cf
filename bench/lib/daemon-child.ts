/**
 * The daemon for the host benchmarks, in its own process so that its RSS and
 * event-loop delay are its own. The kernel is FakeHost (real eventfds stand in
 * for VFIO fds): a kernel stand-in, and the benchmarks say so.
 *
 *   daemon-child.ts '{"groups":1000,"devicesPerGroup":1}'
 * stdout: {"ready":true,"api":…,"fd":…}; then on each stdin line "stats" (or
 * "gc": the same after full collections, with --expose-gc):
 * {"rss":…,"heap":…,"loopP50Ms":…,"loopP99Ms":…,"leases":…,"sessions":…,"external":…,"arrayBuffers":…}
 * "trim" hands freed malloc memory back first (as the daemon does each minute);
 * "reset" restarts the loop-delay histogram; "prof-start", "prof-stop FILE" take a CPU profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import pino from 'pino';
import { startDaemon } from '../../src/daemon/daemon.js';
import { DEFAULTS, type Config } from '../../src/daemon/config.js';
import { mallocTrim, realLibc } from '../../src/kernel/libc.js';
import { FakeHost, edu, group } from '../../test/fixtures/fake-host.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { groups?: number; devicesPerGroup?: number };
const G = spec.groups ?? 1000;
const D = spec.devicesPerGroup ?? 1;
const hex = (n: number, w = 2) => n.toString(16).padStart(w, '0');
const groups = Array.from({ length: G }, (_, g) => group(g + 1, Array.from({ length: D }, (_, f) => edu(`0000:${hex(g >> 5)}:${hex(g & 31)}.${f}`, `vfio${g * 8 + f}`))));
const dir = fs.mkdtempSync('/tmp/vb-bd-');
const config: Config = {
  ...DEFAULTS, runtimeDir: path.join(dir, 'run'), apiSocket: path.join(dir, 'run/api.sock'), fdSocket: path.join(dir, 'run/fd.sock'),
  httpSocket: path.join(dir, 'run/http.sock'), stateDir: path.join(dir, 'state'), policyFile: path.join(dir, 'none.json'), logLevel: 'warn',
};
const daemon = await startDaemon(config, { host: new FakeHost(groups, { realFds: realLibc() }), log: pino({ level: 'warn' }, pino.destination(2)), uevents: false, bootId: 'bench' });
const profiler = new Session();
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
process.stdout.write(JSON.stringify({ ready: true, api: config.apiSocket, fd: config.fdSocket, pid: process.pid, cpus: os.cpus().length }) + '\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'reset') { loop.reset(); continue; }
  // "prof-start" / "prof-stop FILE": a CPU profile of one phase alone (not start-up, not the other phase).
  if (line === 'prof-start') { await profiler.connect(); await profiler.post('Profiler.enable'); await profiler.post('Profiler.start'); continue; }
  if (line.startsWith('prof-stop ')) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.mkdirSync(path.dirname(line.slice(10)), { recursive: true });
    fs.writeFileSync(line.slice(10), JSON.stringify(profile));
    profiler.disconnect();
    continue;
  }
  // "gc": a full collection first (the child runs with --expose-gc), to tell garbage from what is kept.
  if (line === 'gc') { for (let i = 0; i < 3; i++) globalThis.gc?.(); await new Promise((r) => setImmediate(r)); }
  // "trim": what the daemon's minute timer does (malloc_trim), now rather than within the minute.
  else if (line === 'trim') mallocTrim();
  else if (line !== 'stats') break;
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({
    rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, loopP50Ms: loop.percentile(50) / 1e6, loopP99Ms: loop.percentile(99) / 1e6,
    leases: daemon.service.leases.size, sessions: daemon.service.sessions.size, external: m.external, arrayBuffers: m.arrayBuffers,
    // CPU time the daemon used (µs): what a call costs it, whatever else runs on the machine.
    cpuUs: (() => { const c = process.cpuUsage(); return c.user + c.system; })(),
  }) + '\n');
}
await daemon.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
