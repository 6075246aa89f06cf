/**
 * Benchmark 2: delivering 3 fds over the fd channel and getting an answer back,
 * the project's koffi-driven SEQPACKET code against a C program doing the same
 * SCM_RIGHTS round trip, both pinned to one CPU. Target: ≤ 2× the C floor.
 *
 * Besides wall-clock percentiles, both sides report the CPU time their two
 * processes spent after the warm-up, split user / system: on a shared machine
 * that is steadier than wall-clock, and it says how much of the gap is our
 * user-space code (JS, koffi, libuv) against the kernel's work (syscalls,
 * context switches), which both sides share.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { BENCH_DIR, publish, summary } from './lib/report.js';

interface Side { latency: ReturnType<typeof summary>; userUs: number; sysUs: number }

/** Run one side: round trips in ns on stdout, "cpu USER_NS SYS_NS" per process on stderr. */
function side(cmd: string, args: string[], rounds: number): Side {
  const r = spawnSync('taskset', ['-c', '0', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: path.resolve(BENCH_DIR, '..') });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  const cpu = r.stderr.split('\n').filter((l) => l.startsWith('cpu ')).map((l) => l.split(' ').map(Number));
  if (cpu.length !== 2) throw new Error(`${cmd}: expected the CPU time of 2 processes, got ${cpu.length}: ${r.stderr}`);
  const perRound = (i: number) => cpu.reduce((s, c) => s + c[i], 0) / rounds / 1000;
  return { latency: summary(r.stdout.trim().split('\n').map((n) => Number(n) / 1000)), userUs: perRound(1), sysUs: perRound(2) };
}

export async function run(rounds = Number(process.env.BENCH_ROUNDS ?? 20000)) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-c-'));
  const bin = path.join(tmp, 'scm-roundtrip');
  execFileSync('gcc', ['-O2', '-o', bin, path.join(BENCH_DIR, 'c/scm-roundtrip.c')]);
  const c = side(bin, [String(rounds)], rounds);
  const node = side(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'lib/fd-delivery-node.ts'), String(rounds)], rounds);
  fs.rmSync(tmp, { recursive: true, force: true });
  const ratio = node.latency.p50 / c.latency.p50;
  const cpu = (s: Side) => s.userUs + s.sysUs;
  return publish({
    name: 'fd-delivery',
    figures: {
      'round trips (each)': rounds,
      'C floor p50 (µs)': c.latency.p50, 'C floor p99 (µs)': c.latency.p99,
      'vfio-broker fd channel p50 (µs)': node.latency.p50, 'vfio-broker fd channel p99 (µs)': node.latency.p99,
      'ratio p50 (broker / C)': ratio, 'ratio p99 (broker / C)': node.latency.p99 / c.latency.p99,
      'C floor CPU per round trip, user (µs)': c.userUs, 'C floor CPU per round trip, system (µs)': c.sysUs,
      'broker CPU per round trip, user (µs)': node.userUs, 'broker CPU per round trip, system (µs)': node.sysUs,
      'ratio CPU per round trip (broker / C)': cpu(node) / cpu(c),
      'broker user-space share of its CPU (%)': (100 * node.userUs) / cpu(node),
    },
    targets: [{ what: 'p50 ≤ 2× the C floor', met: ratio <= 2, detail: `${ratio.toFixed(2)}×` }],
    notes: [
      'both sides pinned to CPU 0 (taskset); 3 eventfds per message, the receiver closes them and acks',
      'CPU = both processes, after the warm-up; user = JS, koffi, libuv (C: almost nothing), system = syscalls and context switches',
    ],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
