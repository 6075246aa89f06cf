/**
 * Benchmark 4: 1000 concurrent client sessions against one daemon (its own
 * process; the kernel is a stand-in, FakeHost, so this measures the broker, not
 * VFIO). Figures: daemon RSS with 1000 sessions; acquire+release cycles per
 * second across all sessions; the daemon's event-loop delay while doing so.
 * Baseline in the same run: bare Status RPCs per second from the same sessions.
 * Targets: RSS < 100 MB; ≥ 2000 cycles/s on 2 cores.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, publish } from './lib/report.js';
import { JsonChild } from './lib/child.js';
import { bundled } from './lib/bundled.js';

export async function run(sessions = Number(process.env.BENCH_SESSIONS ?? 1000), ms = Number(process.env.BENCH_MS ?? 8000), name = 'sessions') {
  // Bundled children on plain node, as shipped; BENCH_TSX=1 runs them through tsx as before (about 30 MB more RSS).
  const tsx = !!process.env.BENCH_TSX;
  // BENCH_DAEMON_BUNDLE: another daemon-child.mjs (e.g. kept from an earlier tree, two levels below the root) for A/B runs.
  const script = async (name: 'daemon-child' | 'load-worker') =>
    name === 'daemon-child' && process.env.BENCH_DAEMON_BUNDLE ? path.resolve(process.env.BENCH_DAEMON_BUNDLE) : tsx ? `lib/${name}.ts` : bundled(name);
  // The daemon's node flags: the unit's NODE_OPTIONS, as shipped; BENCH_DAEMON_ARGS replaces them
  // (e.g. "--max-semi-space-size=4", or "" for none), to measure their effect.
  const extra = (process.env.BENCH_DAEMON_ARGS ?? shippedNodeOptions()).split(' ').filter(Boolean);
  // --expose-gc: RSS after full collections tells garbage not yet collected from memory kept.
  const daemon = new JsonChild(await script('daemon-child'), { groups: Math.max(sessions, 4), devicesPerGroup: 1 },
    ['--expose-gc', ...extra]);
  const ready = await daemon.next();
  const idle = await daemon.ask('stats');
  const W = Math.min(4, sessions);
  const worker = await script('load-worker');
  const workers = Array.from({ length: W }, (_, w) => new JsonChild(worker, { api: ready.api, fd: ready.fd, sessions: sessions / W, firstGroup: 1 + (w * sessions) / W }));
  await Promise.all(workers.map((w) => w.next()));
  const connected = await daemon.ask('stats');
  // BENCH_CPU_PROF=1: the daemon's CPU profile of each phase, bench/results/prof/sessions-<phase>.cpuprofile
  // (bench/lib/prof-top.ts summarises one; with BENCH_TSX=1 its functions keep their source files).
  const prof = process.env.BENCH_CPU_PROF ? path.join(BENCH_DIR, 'results/prof') : null;
  const phase = async (cmd: string) => {
    daemon.proc.stdin!.write('reset\n');
    if (prof) daemon.proc.stdin!.write('prof-start\n');
    const before = await daemon.ask('stats');
    const rs = await Promise.all(workers.map((w) => w.ask(`${cmd} ${ms}`)));
    if (prof) daemon.proc.stdin!.write(`prof-stop ${path.join(prof, `${name}-${cmd}.cpuprofile`)}\n`);
    const stats = await daemon.ask('stats');
    stats.cpuMs = (stats.cpuUs - before.cpuUs) / 1000;
    if (process.env.BENCH_DEBUG) console.error(cmd, JSON.stringify(rs.map((r) => r.kinds)));
    return { n: rs.reduce((a, r) => a + r.n, 0), errors: rs.reduce((a, r) => a + r.errors, 0), stats };
  };
  const status = await phase('status');
  const cycles = await phase('cycles');
  const collected = await daemon.ask('gc');
  await Promise.all(workers.map((w) => w.end()));
  await new Promise((r) => setTimeout(r, 500));
  const after = await daemon.ask('gc');
  const trimmed = await daemon.ask('trim');
  await daemon.end();
  const MB = 2 ** 20;
  const statusRate = status.n / (ms / 1000);
  const cycleRate = cycles.n / (ms / 1000);
  return publish({
    name,
    figures: {
      'kernel': 'FakeHost stand-in (real eventfds as VFIO fds)',
      'sessions (fd channel + gRPC each)': connected.sessions,
      'daemon RSS idle (MB)': idle.rss / MB,
      [`daemon RSS with ${connected.sessions} sessions (MB)`]: connected.rss / MB,
      'baseline: Status RPCs/s': statusRate,
      'acquire+release cycles/s': cycleRate,
      'ratio cycles / Status calls': cycleRate / statusRate,
      'daemon CPU per cycle / per Status call (ms)': `${(cycles.stats.cpuMs / cycles.n).toFixed(3)} / ${(status.stats.cpuMs / status.n).toFixed(3)}`,
      'cycles per second of daemon CPU (capacity of one core)': cycles.n / (cycles.stats.cpuMs / 1000),
      'errors (status, cycles)': `${status.errors}, ${cycles.errors}`,
      'event-loop delay p50 / p99 during cycles (ms)': `${cycles.stats.loopP50Ms.toFixed(2)} / ${cycles.stats.loopP99Ms.toFixed(2)}`,
      'daemon RSS after cycles (MB)': cycles.stats.rss / MB,
      'daemon RSS after cycles, then full GC (MB)': collected.rss / MB,
      'RSS after cycles vs idle (ratio)': cycles.stats.rss / idle.rss,
      'JS heap used: idle / after cycles / after GC (MB)': `${(idle.heap / MB).toFixed(1)} / ${(cycles.stats.heap / MB).toFixed(1)} / ${(collected.heap / MB).toFixed(1)}`,
      'V8 heap committed / external (native) after cycles (MB)': `${(cycles.stats.heapTotal / MB).toFixed(1)} / ${(cycles.stats.external / MB).toFixed(1)}`,
      'heap used after GC, clients gone, vs idle (MB)': `${(after.heap / MB).toFixed(1)} vs ${(idle.heap / MB).toFixed(1)}`,
      'RSS after GC, clients gone (MB)': after.rss / MB,
      'RSS after GC and malloc_trim (the daemon\'s minute timer), clients gone (MB)': trimmed.rss / MB,
      'leases / sessions left after the clients exit': `${after.leases} / ${after.sessions}`,
    },
    targets: [
      { what: `daemon RSS < 100 MB with ${sessions} sessions`, met: connected.rss < 100 * MB, detail: `${(connected.rss / MB).toFixed(0)} MB, ${(connected.rss / (100 * MB)).toFixed(2)}× the bound` },
      { what: '≥ 2000 acquire+release cycles/s', met: cycleRate >= 2000, detail: `${cycleRate.toFixed(0)}/s, ${(cycleRate / 2000).toFixed(2)}× the target; the daemon's own CPU allows ${(cycles.n / (cycles.stats.cpuMs / 1000)).toFixed(0)}/s per core` },
      { what: 'RSS after cycles < 1.5× idle', met: cycles.stats.rss < 1.5 * idle.rss, detail: `${(cycles.stats.rss / MB).toFixed(0)} MB vs idle ${(idle.rss / MB).toFixed(0)} MB (${(cycles.stats.rss / idle.rss).toFixed(2)}×)` },
    ],
    notes: [
      `${W} load processes × ${sessions / W} sessions on the same 2 cores as the daemon`,
      `daemon and load processes ${tsx ? 'through tsx' : 'bundled (as shipped), on plain node'}${extra.length ? `; daemon flags ${extra.join(' ')}` : ''}`,
    ],
  });
}

/** NODE_OPTIONS from systemd/vfio-brokerd.service: the flags the shipped daemon runs with. */
function shippedNodeOptions(): string {
  const unit = fs.readFileSync(path.join(BENCH_DIR, '../systemd/vfio-brokerd.service'), 'utf8');
  return /^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1] ?? '';
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
