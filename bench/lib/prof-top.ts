/**
 * The top of a V8 .cpuprofile: self time by function and by file (or module),
 * to see where a benchmark's daemon spends its CPU.
 *   npx tsx bench/lib/prof-top.ts bench/results/prof/CPU.….cpuprofile [n]
 */
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
const file = process.argv[2];
const n = Number(process.argv[3] ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const where = new Map<string, number>();
for (const [id, us] of self) {
  const c = byId.get(id)!.callFrame;
  const url = c.url.replace(/^file:\/\//, '').replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, 'npm:$1').replace(/.*\/(src|bench|test)\//, '$1/');
  const k = `${c.functionName || '(anon)'} ${url}:${c.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + us);
  const w = url || c.functionName;
  where.set(w, (where.get(w) ?? 0) + us);
}
const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1e6).toFixed(2)} s sampled\n\n-- by file / package\n${top(where)}\n\n-- by function\n${top(fn)}`);
