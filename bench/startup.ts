/**
 * Daemon start-up cost, as shipped (the bundle in dist/bundle on plain node, what
 * bin/vfio-brokerd and the .deb run) against the former tsx entry (TypeScript
 * transformed at run time through tsx's loader, its cache warm), with a bare
 * `node -e` as the floor: time from exec to the first answered Status RPC, and
 * idle RSS 2 s after that. The real daemon entry on the real kernel classes
 * (VfioHost over this machine's sysfs), sockets in a scratch directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { main as brokerctl } from '../src/cli/brokerctl.js';
import { BENCH_DIR, fmt, publish, summary, type Result } from './lib/report.js';
import { ensureBuilt } from '../test/fixtures/built.js';

const REPO = path.resolve(BENCH_DIR, '..');
const ROUNDS = Number(process.env.VFIO_BROKER_BENCH_STARTUP_ROUNDS ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
// A file, not `node --input-type=module -e`: workers inherit that flag, and the
// scan worker's CommonJS bootstrap then fails.
const TSX_ENTRY = path.join(REPO, 'bench/lib/tsx-daemon-entry.mjs');

async function once(entry: 'compiled' | 'tsx'): Promise<{ ms: number; rss: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-startup-'));
  const args = ['--runtime-dir', dir, '--state-dir', path.join(dir, 'state'), '--policy', path.join(dir, 'none.json'), '--socket-group', 'root', '--log-level', 'warn'];
  const cmd = entry === 'compiled' ? [path.join(REPO, 'bin/vfio-brokerd'), ...args] : [TSX_ENTRY, ...args];
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(process.execPath, cmd, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VFIO_BROKER_CONFIG: '/nonexistent' } });
  const quiet = { write: () => {} };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the ${entry} daemon exited with ${child.exitCode}`);
      if (fs.existsSync(path.join(dir, 'api.sock')) && await brokerctl(['-s', path.join(dir, 'api.sock'), 'status'], quiet, quiet) === 0) break;
      await sleep(5);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await sleep(2000);
    return { ms, rss: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function floor(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(2000);
  const rss = rssMiB(child.pid!);
  child.kill();
  return rss;
}

export async function run(): Promise<Result> {
  ensureBuilt();
  await once('tsx'); // warm tsx's transform cache, as a long-running host has it
  const runs: Record<string, { ms: number; rss: number }[]> = { compiled: [], tsx: [] };
  for (let i = 0; i < ROUNDS; i++) for (const e of ['compiled', 'tsx'] as const) runs[e].push(await once(e));
  const bare = summary(await Promise.all([floor(), floor(), floor()]));
  const c = { ms: summary(runs.compiled.map((r) => r.ms)), rss: summary(runs.compiled.map((r) => r.rss)) };
  const x = { ms: summary(runs.tsx.map((r) => r.ms)), rss: summary(runs.tsx.map((r) => r.rss)) };
  return publish({
    name: 'startup',
    figures: {
      'exec to Status answered, compiled p50 (ms)': c.ms.p50,
      'exec to Status answered, tsx p50 (ms)': x.ms.p50,
      'idle RSS, compiled p50 (MiB)': c.rss.p50,
      'idle RSS, tsx p50 (MiB)': x.rss.p50,
      'idle RSS, bare node -e (MiB)': bare.p50,
      'start time ratio tsx / compiled': x.ms.p50 / c.ms.p50,
      'RSS ratio tsx / compiled': x.rss.p50 / c.rss.p50,
      'RSS ratio compiled / bare node': c.rss.p50 / bare.p50,
    },
    targets: [],
    notes: [
      `${ROUNDS} rounds each, alternating; RSS 2 s after the first Status answer; the real VfioHost over this machine's sysfs`,
      `compiled RSS above the bare-node floor: ${fmt(c.rss.p50 - bare.p50)} MiB; the tsx loader adds ${fmt(x.rss.p50 - c.rss.p50)} MiB`,
    ],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
