/**
 * Run inside the test guest (bench/acquire-guest.ts boots it): bind the test
 * devices, time the direct path as root, then start the daemon and time the
 * broker path from an unprivileged client. Prints one JSON result line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { bindForTests } from '../../test/guest/topology.js';
import { profiled, profileTop } from '../lib/prof-top.js';
import { cleanEnv, outsideTap, startHarness } from '../../test/fixtures/daemon-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = path.join(here, 'acquire-client.ts');
const N = Number(process.env.BENCH_N ?? 50);
const topo = bindForTests();
const group = topo.group(topo.standaloneEdu);
// Asynchronous: the daemon runs in this process and must keep serving meanwhile.
const run = async (mode: string, spec: object, ids: { uid?: number; gid?: number } = {}) => {
  const [cmd, args] = outsideTap(process.execPath, ['--import', 'tsx', CLIENT, mode, JSON.stringify(spec)]);
  const child = spawn(cmd, args, { ...ids, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  await new Promise((r) => child.on('exit', r));
  const line = out.split('\n').find((l) => l.includes('"samples"'));
  if (!line) throw new Error(`${mode} client failed: ${err.slice(-500)}`);
  return JSON.parse(line);
};
const direct = await run('direct', { group, device: topo.standaloneEdu, n: N });
const h = await startHarness(new VfioHost(), { rules: [{ name: 'bench', uids: [65534], devices: { vendorDevice: ['1234:11e8'] } }] }, {}, { keepLogs: false });
const spec = { api: h.config.apiSocket, fd: h.config.fdSocket, group, device: topo.standaloneEdu, n: N };
const broker = await run('broker', spec, { uid: 65534, gid: 65534 });
// A second, profiled pass (daemon and client), apart from the timed one: where the broker path's time goes.
const again = await profiled(() => run('broker', { ...spec, profile: true }, { uid: 65534, gid: 65534 }));
await h.close();
const profiles = { daemon: profileTop(again.profile, 20), client: again.result.profile };
fs.writeSync(1, JSON.stringify({ op: 'acquire-bench', n: N, direct, broker, profiles }) + '\n');
