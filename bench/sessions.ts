/**
 * Benchmark 4: 1000 concurrent client sessions against one daemon (its own
 * process; the kernel is a stand-in, FakeHost, so this measures the broker, not
 * VFIO). Figures: daemon RSS with 1000 sessions; acquire+release cycles per
 * second across all sessions; the daemon's event-loop delay while doing so.
 * Baseline in the same run: bare Status RPCs per second from the same sessions.
 * Targets: RSS < 100 MB; ≥ 2000 cycles/s on 2 cores.
 */
import path from 'node:path';
import { publish } from './lib/report.js';
import { JsonChild } from './lib/child.js';

export async function run(sessions = Number(process.env.BENCH_SESSIONS ?? 1000), ms = Number(process.env.BENCH_MS ?? 8000)) {
  const daemon = new JsonChild('lib/daemon-child.ts', { groups: sessions, devicesPerGroup: 1 });
  const ready = await daemon.next();
  const idle = await daemon.ask('stats');
  const W = 4;
  const workers = Array.from({ length: W }, (_, w) => new JsonChild('lib/load-worker.ts', { api: ready.api, fd: ready.fd, sessions: sessions / W, firstGroup: 1 + (w * sessions) / W }));
  await Promise.all(workers.map((w) => w.next()));
  const connected = await daemon.ask('stats');
  const phase = async (cmd: string) => {
    daemon.proc.stdin!.write('reset\n');
    const rs = await Promise.all(workers.map((w) => w.ask(`${cmd} ${ms}`)));
    const stats = await daemon.ask('stats');
    if (process.env.BENCH_DEBUG) console.error(cmd, JSON.stringify(rs.map((r) => r.kinds)));
    return { n: rs.reduce((a, r) => a + r.n, 0), errors: rs.reduce((a, r) => a + r.errors, 0), stats };
  };
  const status = await phase('status');
  const cycles = await phase('cycles');
  await Promise.all(workers.map((w) => w.end()));
  const after = await daemon.ask('stats');
  await daemon.end();
  const MB = 2 ** 20;
  const statusRate = status.n / (ms / 1000);
  const cycleRate = cycles.n / (ms / 1000);
  return publish({
    name: 'sessions',
    figures: {
      'kernel': 'FakeHost stand-in (real eventfds as VFIO fds)',
      'sessions (fd channel + gRPC each)': connected.sessions,
      'daemon RSS idle (MB)': idle.rss / MB,
      [`daemon RSS with ${connected.sessions} sessions (MB)`]: connected.rss / MB,
      'baseline: Status RPCs/s': statusRate,
      'acquire+release cycles/s': cycleRate,
      'ratio cycles / Status calls': cycleRate / statusRate,
      'errors (status, cycles)': `${status.errors}, ${cycles.errors}`,
      'event-loop delay p50 / p99 during cycles (ms)': `${cycles.stats.loopP50Ms.toFixed(2)} / ${cycles.stats.loopP99Ms.toFixed(2)}`,
      'daemon RSS after cycles (MB)': cycles.stats.rss / MB,
      'leases / sessions left after the clients exit': `${after.leases} / ${after.sessions}`,
    },
    targets: [
      { what: 'daemon RSS < 100 MB with 1000 sessions', met: connected.rss < 100 * MB, detail: `${(connected.rss / MB).toFixed(0)} MB` },
      { what: '≥ 2000 acquire+release cycles/s', met: cycleRate >= 2000, detail: `${cycleRate.toFixed(0)}/s` },
    ],
    notes: [`${W} load processes × ${sessions / W} sessions on the same 2 cores as the daemon`],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
