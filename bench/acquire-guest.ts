/**
 * Benchmark 1: Acquire inside the test guest, on the real kernel. The broker
 * path (client library acquire() → fds in hand, as uid 65534) against the
 * direct path (a root process opening container and group and doing
 * SET_CONTAINER, SET_IOMMU and GET_DEVICE_FD itself), plus release and a full
 * acquire+use+release cycle. Baseline for the overhead: one gRPC round trip
 * (Status) measured in the same run. Target: broker p50 ≤ direct p50 + one
 * round trip, within 1.2×. The guest runs under TCG: absolute figures are
 * inflated; the ratios are the point.
 */
import path from 'node:path';
import { boot } from '../test/vm/guest.js';
import { publish, summary } from './lib/report.js';

interface Samples { acquire: number[]; release: number[]; cycle: number[]; rpc: number[]; fdsAt?: number[] }

export async function run() {
  let tap = '';
  const r = await boot({ variant: 'iommu', command: 'exec node --import tsx bench/guest/acquire.ts', onTap: (s) => { tap += s; } });
  const line = tap.split('\n').find((l) => l.includes('"acquire-bench"'));
  if (!line) throw new Error(`no result from the guest (exit ${r.exitCode}): ${r.consoleLog.split('\n').slice(-20).join('\n')}`);
  const { n, direct, broker, profiles } = JSON.parse(line) as { n: number; direct: Samples; broker: Samples; profiles?: { daemon: string; client: string } };
  const d = summary(direct.acquire);
  const b = summary(broker.acquire);
  const rtt = summary(broker.rpc);
  const bound = d.p50 + rtt.p50;
  const ratio = b.p50 / bound;
  return publish({
    name: 'acquire-guest',
    figures: {
      'iterations (each path)': n,
      'direct acquire p50 / p99 (µs)': `${d.p50.toFixed(0)} / ${d.p99.toFixed(0)}`,
      'broker acquire p50 / p99 (µs)': `${b.p50.toFixed(0)} / ${b.p99.toFixed(0)}`,
      'one gRPC round trip (Status) p50 (µs)': rtt.p50,
      'broker: fds read from the fd channel, p50 after start (µs)': summary(broker.fdsAt ?? []).p50,
      'broker / direct (p50)': b.p50 / d.p50,
      'broker overhead over direct, p50 (µs)': b.p50 - d.p50,
      'broker / (direct + one round trip), p50': ratio,
      'release p50: direct / broker (µs)': `${summary(direct.release).p50.toFixed(0)} / ${summary(broker.release).p50.toFixed(0)}`,
      'acquire+use+release p50: direct / broker (µs)': `${summary(direct.cycle).p50.toFixed(0)} / ${summary(broker.cycle).p50.toFixed(0)}`,
      'guest boot to poweroff (s)': r.seconds,
    },
    targets: [{ what: 'broker p50 ≤ 1.2 × (direct p50 + one round trip)', met: ratio <= 1.2, detail: `${ratio.toFixed(2)}×` }],
    notes: [
      'guest under TCG (no KVM here): every figure is slowed alike; compare ratios',
      ...(profiles ? [`CPU profile of a second broker pass, daemon:\n${profiles.daemon}`, `and client:\n${profiles.client}`] : []),
    ],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
