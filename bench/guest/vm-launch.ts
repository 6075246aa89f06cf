/**
 * Run inside the test guest (bench/vm-launch.ts boots it): the real QEMU with
 * both standalone edus, from spawn until QMP's query-pci lists them, three
 * ways, alternated run by run so that drift in the (shared, TCG) machine hits
 * each alike:
 *   direct   root runs QEMU, which opens the devices itself (-device vfio-pci,host=…; legacy container)
 *   direct-iommufd   the same with QEMU's iommufd backend (-object iommufd), the backend the broker path uses
 *   broker   uid 65534 runs `vfio-broker-exec --qemu --device A --device B -- qemu-system-x86_64 …`
 * There is no brokered legacy launch: QEMU takes pre-opened VFIO fds only with
 * its iommufd backend (a legacy group it always opens by path), which is why
 * --qemu implies --mode iommufd. Also timed, for the breakdown: node's bare
 * start, and the launcher's start with nothing to do (--help), both as 65534.
 * Prints one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { BROKER_ENV } from '../../src/protocol/env.js';
import { bindForTests } from '../../test/guest/topology.js';
import { cleanEnv, startHarness } from '../../test/fixtures/daemon-harness.js';
import { QEMU_BASE, launchOnce, timeRun, type Launch } from './qemu-launch.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What a user runs: the shipped launcher, which loads the bundle (dist/bundle) on plain node. */
const EXEC = path.join(ROOT, 'bin/vfio-broker-exec');
const N = Number(process.env.BENCH_N ?? 6);
const EDU = '1234:11e8';

const topo = bindForTests();
const devs = [topo.standaloneEdu, topo.standaloneEdu2];
// QEMU pins its RAM (64 MiB plus firmware) for DMA: the rule lends the lease a memlock allowance.
const h = await startHarness(new VfioHost(), { rules: [{ name: 'vms', uids: [65534], devices: { vendorDevice: [EDU] }, memlock: '96m' }] }, {}, { keepLogs: false });
const root = { env: cleanEnv() };
const nobody = { uid: 65534, gid: 65534, env: { ...cleanEnv(), [BROKER_ENV.apiSocket]: h.config.apiSocket, [BROKER_ENV.fdSocket]: h.config.fdSocket, HOME: '/tmp', VFIO_BROKER_EXEC_TIMING: '1' } };
const qemu = 'qemu-system-x86_64';

const paths: Record<string, () => Promise<Launch>> = {
  direct: () => launchOnce(qemu, [...QEMU_BASE, ...devs.flatMap((d) => ['-device', `vfio-pci,host=${d}`])], root, EDU, 2, false),
  'direct-iommufd': () => launchOnce(qemu, [...QEMU_BASE, '-object', 'iommufd,id=i0', ...devs.flatMap((d) => ['-device', `vfio-pci,host=${d},iommufd=i0`])], root, EDU, 2, false),
  broker: () => launchOnce(process.execPath, [EXEC, '--qemu', ...devs.flatMap((d) => ['--device', d]), '--', qemu, ...QEMU_BASE], nobody, EDU, 2, true),
};
const results: Record<string, Launch[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
const startup: Record<string, number[]> = { nodeBare: [], execHelp: [] };
const t0 = Date.now();
for (let i = 0; i <= N; i++) {
  // Rotate the order each round, so no path always follows the same one (page cache, a just-released device).
  const names = Object.keys(paths);
  const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
  for (const name of order) {
    const r = await paths[name]();
    if (i > 0) results[name].push(r); // round 0 warms the page cache (QEMU, node and the bundle come over 9p)
  }
  const bare = await timeRun(process.execPath, ['-e', '0'], nobody);
  const help = await timeRun(process.execPath, [EXEC, '--help'], nobody);
  if (i > 0) { startup.nodeBare.push(bare); startup.execHelp.push(help); }
  process.stderr.write(`vm-launch round ${i}: ${order.map((n) => `${n} ${results[n].at(-1)?.readyMs.toFixed(0) ?? '-'}`).join(', ')} ms (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
await h.close();
fs.writeSync(1, JSON.stringify({ op: 'vm-launch-bench', n: N, devices: devs, results, startup }) + '\n');
