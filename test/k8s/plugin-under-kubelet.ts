/**
 * What the kubelet harness runs as its plugin: a broker peer stand-in (the real v1
 * proto, claims in memory; the daemon answers claims UNIMPLEMENTED on this branch)
 * on a socket in a fresh directory, and the real vfio-broker-device-plugin (bin/,
 * so dist/ must be built) configured against it with the kubelet's default
 * directory, which the harness's private mount namespace provides.
 *
 *   node --import tsx test/k8s/plugin-under-kubelet.ts   (SIGTERM stops both)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeBroker, fakeGroup } from '../fixtures/fake-broker.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-k8s-'));
const broker = await new FakeBroker(path.join(dir, 'api.sock'), [
  fakeGroup(10, '0000:00:03.0', { numa: 0 }),
  fakeGroup(11, '0000:00:04.0', { numa: 1 }),
  fakeGroup(12, '0000:00:05.0', { numa: 1 }),
]).listen();
const config = path.join(dir, 'device-plugin.json');
fs.writeFileSync(config, JSON.stringify({
  resources: [{ name: process.env.RESOURCE ?? 'vfio-broker.io/edu', devices: { vendorDevice: ['1234:11e8'] } }],
  apiSocket: broker.socketPath,
  brokerSocketDir: dir,
  stateDir: path.join(dir, 'state'),
  reapIntervalSeconds: 3600,
}));
const child = spawn(process.execPath, [path.join(root, 'bin/vfio-broker-device-plugin'), '--config', config], { stdio: 'inherit' });
const done = () => {
  broker.close();
  fs.rmSync(dir, { recursive: true, force: true });
};
for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => child.kill('SIGTERM'));
child.on('exit', (code) => {
  process.stderr.write(`plugin-under-kubelet: claims made: ${JSON.stringify([...broker.claims.values()].map((c) => [c.id, c.groups, c.owner_ref]))}\n`);
  done();
  process.exit(code ?? 0);
});
