/**
 * The benchmarks' own children, bundled as the shipped daemon is
 * (scripts/bundle.mjs: one esbuild file on plain node, koffi outside). Through
 * tsx the same code idles about 30 MB higher and pays its loader at start, so
 * a figure taken through tsx is not the daemon's.
 */
import path from 'node:path';
import { bundle } from '../../scripts/bundle.mjs';
import { BENCH_DIR } from './report.js';

/** Two levels below the root, like dist/bundle: src/protocol/proto.ts finds ../../proto from there. */
const OUT = path.resolve(BENCH_DIR, '../build/bench');
const CHILDREN: [string, string][] = [['daemon-child', 'bench/lib/daemon-child.ts'], ['load-worker', 'bench/lib/load-worker.ts']];
let built: Promise<void> | undefined;

/** The bundle of bench/lib/<name>.ts (built once per benchmark process). */
export async function bundled(name: 'daemon-child' | 'load-worker'): Promise<string> {
  built ??= bundle(CHILDREN, OUT);
  await built;
  return path.join(OUT, `${name}.mjs`);
}
