/**
 * Shared bits of the benchmarks: percentiles, a ratio against a baseline
 * measured in the same run, a verdict against the target, and a JSON result
 * file under bench/results/. Benchmarks report; they never fail a test.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s.at(-1)! };
}

export interface Target {
  what: string;
  met: boolean;
  detail: string;
}

export interface Result {
  name: string;
  figures: Record<string, number | string>;
  targets: Target[];
  notes?: string[];
}

export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, Node ${process.version}`;
}

export function publish(r: Result): Result {
  const dir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${r.name}.json`), JSON.stringify({ ...r, machine: machine(), at: new Date().toISOString() }, null, 2) + '\n');
  console.log(`\n== ${r.name}`);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(44)} ${typeof v === 'number' ? fmt(v) : v}`);
  for (const t of r.targets) console.log(`  target: ${t.what.padEnd(36)} ${t.met ? 'MET    ' : 'MISSED '} ${t.detail}`);
  for (const n of r.notes ?? []) console.log(`  note: ${n}`);
  return r;
}

export const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
