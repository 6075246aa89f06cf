/**
 * Scale curves: the sessions benchmark at 1, 10, 100 and 1000 sessions, and
 * ListGroups and the inventory scan at 64, 512 and 4096 groups. For each step
 * it prints how the cost grew against how the size grew (the exponent of a
 * power law through the two points: about 0 is flat, about 1 linear; above 1.2
 * is worse than linear), and draws the curves, log-log, in
 * bench/results/curves.png beside the JSON.
 *
 * Costs are those least bent by other load on the machine: the daemon's CPU
 * time per acquire+release cycle (not the wall rate), the daemon's answer time
 * for the whole ListGroups, and the scan's median time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, publish, type Result, type Target } from './lib/report.js';
import { plot, type Series } from './lib/png.js';
import { run as sessions } from './sessions.js';
import { run as listGroups } from './list-groups.js';
import { run as inventory } from './inventory.js';

const num = (v: number | string | undefined) => (typeof v === 'number' ? v : parseFloat(String(v)));

function growth(points: [number, number][]): { text: string; worst: number } {
  const steps: string[] = [];
  let worst = 0;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const k = Math.log(y1 / y0) / Math.log(x1 / x0);
    worst = Math.max(worst, k);
    steps.push(`${x0}→${x1}: ×${(y1 / y0).toFixed(2)} (exponent ${k.toFixed(2)}, ${k < 0.2 ? 'flat' : k <= 1.2 ? 'linear or less' : 'WORSE than linear'})`);
  }
  return { text: steps.join('; '), worst };
}

export async function run() {
  const sessionSizes = (process.env.BENCH_CURVE_SESSIONS ?? '1,10,100,1000').split(',').map(Number);
  const groupSizes = (process.env.BENCH_CURVE_GROUPS ?? '64,512,4096').split(',').map(Number);
  const ms = Number(process.env.BENCH_CURVE_MS ?? 3000);
  const cycleCpu: [number, number][] = [];
  const cycleWall: [number, number][] = [];
  // BENCH_CURVE_REUSE=1: take the session points from an earlier run's JSON (they take longest).
  const earlier = (name: string): Result | null => {
    const f = path.join(BENCH_DIR, 'results', `${name}.json`);
    return process.env.BENCH_CURVE_REUSE && fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as Result) : null;
  };
  for (const n of sessionSizes) {
    const r = earlier(`curve-sessions-${n}`) ?? await sessions(n, ms, `curve-sessions-${n}`);
    cycleCpu.push([n, 1000 / num(r.figures['cycles per second of daemon CPU (capacity of one core)'])]);
    cycleWall.push([n, num(r.figures['acquire+release cycles/s'])]);
  }
  const lg: [number, number][] = [];
  const scan: [number, number][] = [];
  const walker: [number, number][] = [];
  for (const g of groupSizes) {
    const r = await listGroups({ groups: g, pollSeconds: 0, cachedCalls: 20 });
    lg.push([g, num(r.figures['ListGroups, answer not decoded, p50 / p99 (ms)'])]);
    const inv = await inventory(g, 3, `curve-inventory-${g}`);
    scan.push([g, num(inv.figures['SysfsInventory.scanGroups, median of 3 (ms)'])]);
    walker.push([g, num(inv.figures['C walker, median of 3 (ms)'])]);
  }
  const curves = {
    'sessions: daemon CPU per acquire+release cycle (ms)': cycleCpu,
    'ListGroups, whole list, daemon answer p50 (ms)': lg,
    'inventory full scan, JS (ms)': scan,
    'inventory full scan, C walker (ms)': walker,
  };
  const figures: Record<string, string> = {};
  const targets: Target[] = [];
  for (const [what, pts] of Object.entries(curves)) {
    const g = growth(pts);
    figures[what] = pts.map(([x, y]) => `${x}: ${y.toFixed(3)}`).join(', ');
    figures[`${what}, growth`] = g.text;
    targets.push({ what: `${what.split(',')[0].split(':')[0]}: no worse than linear`, met: g.worst <= 1.2, detail: `largest exponent ${g.worst.toFixed(2)}` });
  }
  figures['sessions: acquire+release cycles/s (wall, shared machine)'] = cycleWall.map(([x, y]) => `${x}: ${y.toFixed(0)}`).join(', ');
  const red: [number, number, number] = [200, 40, 40];
  const blue: [number, number, number] = [40, 80, 200];
  const green: [number, number, number] = [30, 150, 60];
  const s = (name: string, points: [number, number][], color: [number, number, number]): Series => ({ name, points, color });
  const png = plot([
    { title: 'SESSIONS', xLabel: 'SESSIONS', yLabel: 'MS CPU / CYCLE', series: [s('CPU PER CYCLE', cycleCpu, red)] },
    { title: 'LISTGROUPS', xLabel: 'GROUPS', yLabel: 'MS', series: [s('WHOLE LIST P50', lg, blue)] },
    { title: 'INVENTORY SCAN', xLabel: 'GROUPS', yLabel: 'MS', series: [s('JS SCAN', scan, green), s('C WALKER', walker, [120, 120, 120])] },
  ], 'VFIO-BROKER SCALE CURVES (LOG-LOG; DASHED = LINEAR FROM FIRST POINT)');
  const out = path.join(BENCH_DIR, 'results', 'curves.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, png);
  return publish({ name: 'curves', figures: { ...figures, 'plot': path.relative(process.cwd(), out) }, targets, notes: ['exponent k of cost ∝ size^k between neighbouring sizes: ~0 flat, ~1 linear'] });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
