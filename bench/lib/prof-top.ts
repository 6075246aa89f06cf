/**
 * The top of a V8 CPU profile: self time by function and by file (or module),
 * to see where a benchmark's process spends its CPU.
 *   npx tsx bench/lib/prof-top.ts bench/results/prof/CPU.….cpuprofile [n]
 * `profiled()` takes one in-process (node:inspector), around just the part measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

export function profileTop(prof: CpuProfile, n = 25): string {
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  (prof.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas?.[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const where = new Map<string, number>();
  for (const [id, us] of self) {
    const c = byId.get(id)!.callFrame;
    const url = c.url.replace(/^file:\/\//, '').replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, 'npm:$1').replace(/.*\/(src|bench|test|dist)\//, '$1/');
    const k = `${c.functionName || '(anon)'} ${url}:${c.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + us);
    const w = url || c.functionName;
    where.set(w, (where.get(w) ?? 0) + us);
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  return `total ${(total / 1e6).toFixed(2)} s sampled\n\n-- by file / package\n${top(where)}\n\n-- by function\n${top(fn)}`;
}

/** Run `f` under the sampling profiler of this process; returns its result and the profile. */
export async function profiled<T>(f: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  try {
    const result = await f();
    const { profile } = await s.post('Profiler.stop');
    return { result, profile: profile as CpuProfile };
  } finally {
    s.disconnect();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  console.log(profileTop(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25)));
}
