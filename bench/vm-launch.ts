/**
 * Benchmark: VM launch in the test guest, on the real kernel. The real QEMU
 * with two edu devices, from spawn until QMP's query-pci lists both: started by
 * uid 65534 through `vfio-broker-exec --qemu` (fds from the broker, iommufd
 * backend) against the same QEMU started as root opening the devices itself,
 * alternated in one run (bench/guest/vm-launch.ts). Target: broker p50 ≤ 1.1 ×
 * direct p50. The guest runs under TCG: absolute figures are inflated; the
 * ratios are the point.
 */
import path from 'node:path';
import { boot } from '../test/vm/guest.js';
import { publish, summary } from './lib/report.js';

const p50 = (xs: number[]) => summary(xs).p50;
const ms = (v: number) => `${v.toFixed(0)} ms`;

export async function run() {
  let tap = '';
  const r = await boot({
    variant: 'iommu', command: 'exec node --import tsx bench/guest/vm-launch.ts', onTap: (s) => { tap += s; },
    timeoutMs: Number(process.env.VFIO_BROKER_VM_TIMEOUT_MS) || undefined,
  });
  const line = tap.split('\n').find((l) => l.includes('"vm-launch-bench"'));
  if (!line) throw new Error(`no result from the guest (exit ${r.exitCode}): ${r.consoleLog.split('\n').slice(-20).join('\n')}`);
  const { n, results, startup } = JSON.parse(line);
  const ready = (k: string) => summary(results[k].map((x: any) => x.readyMs));
  const d = ready('direct');
  const di = ready('direct-iommufd');
  const b = ready('broker');
  const broker = results.broker as { readyMs: number; greetingMs: number; qemuStartMs?: number; exitMs: number; timing?: Record<string, number> }[];
  // The launcher's own marks (VFIO_BROKER_EXEC_TIMING): ms since its process started.
  const timed = broker.filter((x) => x.timing);
  const step = (to: string, from?: string) => p50(timed.map((x) => x.timing![to] - (from ? x.timing![from] : 0)));
  const toQemu = p50(broker.filter((x) => x.qemuStartMs !== undefined).map((x) => x.qemuStartMs!));
  const inQemu = p50(broker.filter((x) => x.qemuStartMs !== undefined).map((x) => x.readyMs - x.qemuStartMs!));
  const bare = p50(startup.nodeBare);
  const help = p50(startup.execHelp);
  const ratio = b.p50 / d.p50;
  return publish({
    name: 'vm-launch',
    figures: {
      'iterations (each path, after a warm-up)': n,
      'direct (root, legacy) p50 / min / max': `${ms(d.p50)} / ${ms(d.min)} / ${ms(d.max)}`,
      'direct (root, iommufd) p50 / min / max': `${ms(di.p50)} / ${ms(di.min)} / ${ms(di.max)}`,
      'broker (65534, exec --qemu) p50 / min / max': `${ms(b.p50)} / ${ms(b.min)} / ${ms(b.max)}`,
      'broker / direct legacy (p50)': ratio,
      'broker / direct iommufd (p50)': b.p50 / di.p50,
      'broker: launcher start to QEMU exec p50': ms(toQemu),
      '  node start + bundle load (launcher\'s mark) p50': ms(step('loaded')),
      '  connect (API + fd channel) p50': ms(step('connected', 'loaded')),
      '  acquire (two groups, iommufd) p50': ms(step('acquired', 'connected')),
      '  layout + spawn QEMU p50': ms(step('spawned', 'acquired')),
      'separately: node -e 0 / exec --help p50': `${ms(bare)} / ${ms(help)}`,
      'broker: QEMU exec to devices listed p50': ms(inQemu),
      'QMP greeting p50: direct / broker': `${ms(p50(results.direct.map((x: any) => x.greetingMs)))} / ${ms(p50(broker.map((x) => x.greetingMs)))}`,
      'quit to exit p50: direct / broker': `${ms(p50(results.direct.map((x: any) => x.exitMs)))} / ${ms(p50(broker.map((x) => x.exitMs)))}`,
      'guest boot to poweroff (s)': r.seconds,
    },
    targets: [{ what: 'broker p50 ≤ 1.1 × direct p50', met: ratio <= 1.1, detail: `${ratio.toFixed(2)}×` }],
    notes: [
      'guest under TCG (no KVM here): every figure is slowed alike; compare ratios',
      'the broker path is iommufd only: QEMU takes pre-opened VFIO fds only through its iommufd backend; direct-iommufd is the same backend opened by QEMU itself',
      'launcher start to QEMU exec comes from /proc start times (10 ms ticks); the launcher-load and node figures are separate runs of the same programs',
      `QEMU's own part of the broker launch (${ms(inQemu)}) is about the direct one: the gap is the launcher, ${ms(toQemu)} of node before QEMU starts ` +
        '(node\'s bare start, loading the one-file bundle: grpc-js, protobufjs and node\'s http2/tls/zlib modules, then parsing the API definition at connect); ' +
        '1.1× leaves it a tenth of a QEMU start, less than node\'s bare start here',
    ],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
