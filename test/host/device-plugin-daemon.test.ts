/**
 * The device plugin against the real daemon (only the kernel a stand-in: FakeHost)
 * and the kubelet stand-in: the plugin lists the daemon's groups as an admin
 * client, with the NUMA node the daemon reports, and a lease taken outside
 * Kubernetes turns its device Unhealthy until it ends, through the daemon's Watch.
 * (Allocate against the daemon's claims is the claims work's test.)
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { realLibc } from '../../src/kernel/libc.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';
import { KubeletStub } from '../fixtures/kubelet-stub.js';
import { VfioDevicePlugin } from '../../src/k8s/device-plugin.js';
import { parsePluginConfig } from '../../src/k8s/plugin-config.js';

const NOBODY = 65534;
const EDU = 'vfio-broker.io/edu';

t.test('devices and their health follow the real daemon', async (t) => {
  const h = await startHarness(new FakeHost([
    group(1, [{ ...edu('0000:00:03.0', 'vfio0'), numaNode: 1 }]),
    group(2, [edu('0000:00:04.0', 'vfio1')]),
  ], { realFds: realLibc() }), { rules: [{ name: 'nobody-edu', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] } }] });
  const pluginDir = path.join(h.dir, 'dp');
  const kubelet = new KubeletStub(pluginDir, path.join(h.dir, 'pr.sock'));
  await kubelet.start();
  const plugin = new VfioDevicePlugin(parsePluginConfig({
    resources: [{ name: EDU, devices: { vendorDevice: ['1234:11e8'] } }],
    apiSocket: h.config.apiSocket, brokerSocketDir: h.config.runtimeDir, devicePluginDir: pluginDir,
    podResourcesSocket: path.join(h.dir, 'pr.sock'), stateDir: path.join(h.dir, 'dp-state'), reapIntervalSeconds: 3600,
  }), { info: () => undefined, warn: () => undefined });
  await plugin.start(3600_000);
  t.teardown(async () => {
    await plugin.stop();
    await kubelet.stop();
    await h.close();
  });

  const listed = await kubelet.devices(EDU, (d) => d.length === 2);
  t.same(listed.map((d) => [d.ID, d.health, d.topology?.nodes.map((n) => Number(n.ID)) ?? null]), [
    ['0000:00:03.0', 'Healthy', [1]], ['0000:00:04.0', 'Healthy', null],
  ], 'one device per group, NUMA node from the daemon\'s sysfs view');

  const a = h.client(NOBODY, [{ op: 'acquire', groups: [2] }, { op: 'hold' }]);
  t.equal((await a.step('acquire')).ok, true);
  await kubelet.devices(EDU, (d) => d.find((x) => x.ID === '0000:00:04.0')?.health === 'Unhealthy');
  t.pass('leased outside Kubernetes: Unhealthy');
  a.child.kill('SIGKILL');
  await a.exited;
  await kubelet.devices(EDU, (d) => d.every((x) => x.health === 'Healthy'));
  t.pass('lease ended: Healthy again');
  t.ok(fs.existsSync(plugin.endpoints[0].socketPath));
});
