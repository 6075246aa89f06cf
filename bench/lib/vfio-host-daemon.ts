/**
 * The daemon for bench/list-groups.ts and bench/inventory-churn.ts, in its own
 * process so that its event loop and RSS are its own: startDaemon with the real
 * VfioHost pointed at a synthetic sysfs root (the root carries a proc -> /proc
 * link so that VfioHost.describe() can read the real callers' /proc entries).
 * Full scans and single-group reads are the inventory's own counters
 * (host.live.stats). Uevents are fed in by the benchmark, which changes the
 * tree itself, as the kernel would, from another process.
 *
 *   vfio-host-daemon.ts '{"root":"/dev/shm/vb-bench-…"}'
 * stdout: {"ready":true,"api":…,"fd":…,"startupMs":…,"startupScanMs":[…]}
 * stdin, one command a line, one JSON answer each (except reset and uevent):
 *   reset        reset the event-loop delay histogram and the scan log (no answer)
 *   uevent <action> <subsystem> <devpath>   → service.deviceChanged, as daemon.ts does (no answer)
 *   rescan       host.rescan(), answered when it is done → {"rescanMs"}
 *   stats        → {"rss","heap","loopP50Ms","loopP99Ms","loopMaxMs","scans","scanMs":[…],"groupReads","uevents","ueventMaxMs","ueventCpuMs":[…],"gcMaxMs","gcOver20","gcMs"}
 *   inproc <n>   time n rounds of each server-side stage of ListGroups, in this
 *                process: queryGroups() and the encoder (groups encoded once),
 *                and for comparison the former path, .map(wire.group) and the
 *                protobuf serialisation of the whole answer
 *                → {"queryMs","encodeMs","wireMs","serializeMs","bytes"} (medians)
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { startDaemon } from '../../src/daemon/daemon.js';
import { DEFAULTS, type Config } from '../../src/daemon/config.js';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { loadApi } from '../../src/protocol/proto.js';
import * as wire from '../../src/api/wire.js';
import { GroupEncoder } from '../../src/api/encoded.js';
import { queryGroups } from '../../src/service/group-query.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { root: string };
const host = new VfioHost(spec.root);

// Full scans since the last reset: the inventory's own log, read from an offset.
const stats = host.live.stats;
let scansFrom = 0;
let readsFrom = 0;
let uevents = 0;
/** The longest single uevent's handling (inventory re-read plus the service's announcement). */
let ueventMaxMs = 0;
/** The same in CPU time (user + system), which other load on the machine does not inflate. */
let ueventCpuMs: number[] = [];
const scans = () => stats.fullScanMs.slice(scansFrom);

const dir = fs.mkdtempSync('/tmp/vb-bl-');
const config: Config = {
  ...DEFAULTS, runtimeDir: path.join(dir, 'run'), apiSocket: path.join(dir, 'run/api.sock'), fdSocket: path.join(dir, 'run/fd.sock'),
  httpSocket: path.join(dir, 'run/http.sock'), stateDir: path.join(dir, 'state'), policyFile: path.join(dir, 'none.json'), logLevel: 'warn',
};
const t0 = process.hrtime.bigint();
const daemon = await startDaemon(config, { host, log: pino({ level: 'warn' }, pino.destination(2)), uevents: false, bootId: 'bench' });
const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
// GC pauses, to tell the collector's stalls from the inventory's.
let gcMaxMs = 0;
let gcMs = 0;
let gcOver20 = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    gcMaxMs = Math.max(gcMaxMs, e.duration);
    gcMs += e.duration;
    if (e.duration > 20) gcOver20++;
  }
}).observe({ entryTypes: ['gc'] });
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
// startupScanMs: the real sysfs scans startDaemon itself ran.
out({ ready: true, api: config.apiSocket, fd: config.fdSocket, pid: process.pid, startupMs, startupScanMs: scans() });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeIt<T>(n: number, f: () => T): { ms: number; last: T } {
  const t: number[] = [];
  let last!: T;
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    last = f();
    t.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  return { ms: median(t), last };
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'reset') { loop.reset(); stats.chunkMaxMs = 0; gcMaxMs = 0; gcMs = 0; gcOver20 = 0; scansFrom = stats.fullScanMs.length; readsFrom = stats.groupReads; uevents = 0; ueventMaxMs = 0; ueventCpuMs = []; continue; }
  if (cmd === 'uevent') {
    const [, action, subsystem, devpath] = line.split(' ');
    uevents++;
    // The shape UeventMonitor emits (devpath included), as daemon.ts passes it on.
    const ev = { action, subsystem, devpath, name: devpath.slice(devpath.lastIndexOf('/') + 1), env: {} };
    const a = performance.now();
    const cpu = process.cpuUsage();
    daemon.service.deviceChanged(ev);
    const used = process.cpuUsage(cpu);
    ueventCpuMs.push((used.user + used.system) / 1000);
    ueventMaxMs = Math.max(ueventMaxMs, performance.now() - a);
    continue;
  }
  if (cmd === 'rescan') {
    const a = performance.now();
    void host.rescan().then(() => out({ rescanMs: performance.now() - a }));
    continue;
  }
  if (cmd === 'inproc') {
    const n = Number(arg);
    const serialize = loadApi().service.ListGroups.responseSerialize;
    const list = daemon.service.listGroups();
    const mapped = timeIt(n, () => list.map((g) => wire.group(g)));
    const ser = timeIt(n, () => serialize({ groups: mapped.last }));
    const query = timeIt(n, () => queryGroups(host, daemon.service.leases, {}));
    const encoder = new GroupEncoder();
    const enc = timeIt(n, () => encoder.list(query.last.groups, () => true));
    out({ queryMs: query.ms, encodeMs: enc.ms, wireMs: mapped.ms, serializeMs: ser.ms, bytes: enc.last.bytes.length });
    continue;
  }
  if (cmd !== 'stats') break;
  const m = process.memoryUsage();
  out({
    rss: m.rss, heap: m.heapUsed, loopP50Ms: loop.percentile(50) / 1e6, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6,
    scans: scans().length, scanMs: scans(), chunkMaxMs: stats.chunkMaxMs, groupReads: stats.groupReads - readsFrom, uevents, ueventMaxMs, ueventCpuMs, gcMaxMs, gcOver20, gcMs,
  });
}
await daemon.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
