/**
 * Benchmark 2: delivering 3 fds over the fd channel and getting an answer back,
 * the project's koffi-driven SEQPACKET code against a C program doing the same
 * SCM_RIGHTS round trip, both pinned to one CPU. Target: ≤ 2× the C floor.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BENCH_DIR, publish, summary } from './lib/report.js';

export async function run(rounds = Number(process.env.BENCH_ROUNDS ?? 20000)) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-c-'));
  const bin = path.join(tmp, 'scm-roundtrip');
  execFileSync('gcc', ['-O2', '-o', bin, path.join(BENCH_DIR, 'c/scm-roundtrip.c')]);
  const ns = (out: string) => out.trim().split('\n').map(Number).map((n) => n / 1000);
  const c = summary(ns(execFileSync('taskset', ['-c', '0', bin, String(rounds)], { encoding: 'utf8', maxBuffer: 64 << 20 })));
  const node = summary(ns(execFileSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'lib/fd-delivery-node.ts'), String(rounds)], {
    encoding: 'utf8', maxBuffer: 64 << 20, cwd: path.resolve(BENCH_DIR, '..'),
  })));
  fs.rmSync(tmp, { recursive: true, force: true });
  const ratio = node.p50 / c.p50;
  return publish({
    name: 'fd-delivery',
    figures: {
      'round trips (each)': rounds,
      'C floor p50 (µs)': c.p50, 'C floor p99 (µs)': c.p99,
      'vfio-broker fd channel p50 (µs)': node.p50, 'vfio-broker fd channel p99 (µs)': node.p99,
      'ratio p50 (broker / C)': ratio, 'ratio p99 (broker / C)': node.p99 / c.p99,
    },
    targets: [{ what: 'p50 ≤ 2× the C floor', met: ratio <= 2, detail: `${ratio.toFixed(2)}×` }],
    notes: ['both sides pinned to CPU 0 (taskset); 3 eventfds per message, the receiver closes them and acks'],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
