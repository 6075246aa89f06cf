/**
 * The device plugin against a kubelet stand-in that speaks the kubelet's protos
 * (test/fixtures/kubelet-stub.ts) and a stand-in broker peer serving the real v1
 * proto (test/fixtures/fake-broker.ts): registration, the device stream following
 * the broker's Watch, preferred allocation, Allocate, kubelet restart and
 * re-registration, and claims ended when PodResources stops listing them.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeBroker, fakeGroup } from '../fixtures/fake-broker.js';
import { KubeletStub } from '../fixtures/kubelet-stub.js';
import { VfioDevicePlugin } from '../../src/k8s/device-plugin.js';
import { parsePluginConfig } from '../../src/k8s/plugin-config.js';
import { endpointName } from '../../src/k8s/resource-endpoint.js';
import { ClaimReaper } from '../../src/k8s/reaper.js';
import {
  ANNOTATION_CLAIM, CONTAINER_API_SOCKET, CONTAINER_FD_SOCKET, CONTAINER_SOCKET_DIR, CONTAINER_TOKEN_FILE,
} from '../../src/protocol/k8s-env.js';
import { BROKER_ENV } from '../../src/protocol/env.js';

const EDU = 'vfio-broker.io/edu';
const NIC = 'vfio-broker.io/nic';
const quiet = { info: () => undefined, warn: () => undefined };

async function setup(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-dp-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const broker = await new FakeBroker(path.join(dir, 'api.sock'), [
    fakeGroup(10, '0000:00:03.0', { numa: 0 }),
    fakeGroup(11, '0000:00:04.0', { numa: 1 }),
    fakeGroup(12, '0000:00:05.0', { numa: 1 }),
    fakeGroup(13, '0000:00:06.0', { numa: 0, vendor: '0x8086', device: '0x10d3' }),
  ]).listen();
  const pluginDir = path.join(dir, 'device-plugins');
  const kubelet = new KubeletStub(pluginDir, path.join(dir, 'pod-resources.sock'));
  await kubelet.start();
  const config = parsePluginConfig({
    resources: [
      { name: EDU, devices: { vendorDevice: ['1234:11e8'] } },
      { name: NIC, devices: { vendorDevice: ['8086:*'] }, mode: 'iommufd' },
    ],
    apiSocket: broker.socketPath, brokerSocketDir: '/run/vfio-broker', devicePluginDir: pluginDir,
    podResourcesSocket: path.join(dir, 'pod-resources.sock'), stateDir: path.join(dir, 'state'),
    reapIntervalSeconds: 3600, reapGraceSeconds: 0.001,
  });
  const plugin = new VfioDevicePlugin(config, quiet);
  await plugin.start(3600_000);
  t.teardown(async () => {
    await plugin.stop();
    await kubelet.stop();
    broker.close();
  });
  return { dir, broker, kubelet, plugin, config };
}

t.test('registers each resource with the kubelet and streams one device per group', async (t) => {
  const { kubelet, plugin, broker } = await setup(t);
  await kubelet.registered(2);
  t.same([...new Set(broker.listRequests)].sort(), ['1234:11e8', '8086:'], 'the broker is asked only for the selectors\' vendor:device ids');
  const regs = kubelet.registrations.map((r) => [r.resource_name, r.endpoint, r.version]).sort();
  t.same(regs, [[EDU, endpointName(EDU), 'v1beta1'], [NIC, endpointName(NIC), 'v1beta1']], 'Register names the resource, its socket and v1beta1');
  t.same(kubelet.endpoints.get(EDU)!.options, { pre_start_required: false, get_preferred_allocation_available: true });
  const edu = await kubelet.devices(EDU, (d) => d.length === 3);
  t.same(edu.map((d) => [d.ID, d.health, d.topology?.nodes.map((n) => Number(n.ID))]), [
    ['0000:00:03.0', 'Healthy', [0]], ['0000:00:04.0', 'Healthy', [1]], ['0000:00:05.0', 'Healthy', [1]],
  ], 'IDs are PCI addresses, NUMA node from the broker');
  t.same((await kubelet.devices(NIC)).map((d) => d.ID), ['0000:00:06.0'], 'each group offered under one resource');
  t.equal(plugin.devices(EDU).length, 3);
});

t.test('the device stream follows the broker Watch', async (t) => {
  const { kubelet, broker } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  broker.setGroup(fakeGroup(11, '0000:00:04.0', { numa: 1, viable: false }), 'device-unbound');
  let d = await kubelet.devices(EDU, (l) => l.find((x) => x.ID === '0000:00:04.0')?.health === 'Unhealthy');
  t.equal(d.find((x) => x.ID === '0000:00:04.0')!.health, 'Unhealthy', 'non-viable → Unhealthy');
  broker.removeGroup(10);
  d = await kubelet.devices(EDU, (l) => l.find((x) => x.ID === '0000:00:03.0')?.health === 'Unhealthy');
  t.equal(d.length, 3, 'a removed device stays listed, Unhealthy');
  broker.setGroup({ ...fakeGroup(12, '0000:00:05.0', { numa: 1 }), owner: { lease_id: 'l-1', cred: null, since: '', session_id: 's', mode: 'MODE_LEGACY' } }, 'lease-acquired');
  await kubelet.devices(EDU, (l) => l.find((x) => x.ID === '0000:00:05.0')?.health === 'Unhealthy');
  t.pass('leased outside Kubernetes → Unhealthy');
  broker.setGroup(fakeGroup(10, '0000:00:03.0', { numa: 0 }), 'device-added');
  broker.setGroup(fakeGroup(11, '0000:00:04.0', { numa: 1 }));
  d = await kubelet.devices(EDU, (l) => ['0000:00:03.0', '0000:00:04.0'].every((id) => l.find((x) => x.ID === id)?.health === 'Healthy'));
  t.pass('back and viable → Healthy again');
});

t.test('GetPreferredAllocation keeps a request on one NUMA node', async (t) => {
  const { kubelet } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  const all = ['0000:00:03.0', '0000:00:04.0', '0000:00:05.0'];
  t.same((await kubelet.preferred(EDU, all, [], 2)).container_responses[0].deviceIDs, ['0000:00:04.0', '0000:00:05.0'], 'two on node 1, not one per node');
  t.same((await kubelet.preferred(EDU, all, ['0000:00:05.0'], 2)).container_responses[0].deviceIDs, ['0000:00:05.0', '0000:00:04.0'], 'filled from the must-include device\'s node');
  t.same((await kubelet.preferred(EDU, all, [], 1)).container_responses[0].deviceIDs.length, 1);
});

t.test('Allocate makes a claim and answers with mounts, variables and an annotation, no device nodes', async (t) => {
  const { kubelet, broker, config } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  const res = await kubelet.allocate(EDU, ['0000:00:04.0', '0000:00:05.0'], ['0000:00:03.0']);
  t.equal(res.container_responses.length, 2, 'one answer per container');
  const [c] = res.container_responses;
  const claimId = c.envs[BROKER_ENV.claim];
  const claim = broker.claims.get(claimId)!;
  t.ok(claim, 'the claim exists in the broker');
  t.same(claim.groups, [11, 12], 'it reserves the allocated devices\' groups');
  t.equal(claim.owner_ref, `k8s-device-plugin:${EDU}=0000:00:04.0,0000:00:05.0`);
  t.same(c.devices, [], 'no device nodes');
  t.same(c.cdi_devices, [], 'no CDI devices');
  const tokenFile = path.join(config.stateDir, 'claims', claimId, 'token');
  t.same(c.mounts, [
    { container_path: CONTAINER_SOCKET_DIR, host_path: '/run/vfio-broker', read_only: true },
    { container_path: CONTAINER_TOKEN_FILE, host_path: tokenFile, read_only: true },
  ], 'the broker socket directory and the token file, read-only');
  t.equal(fs.readFileSync(tokenFile, 'utf8'), broker.tokens.get(claimId), 'the token file holds the claim token');
  t.equal(fs.statSync(tokenFile).mode & 0o777, 0o444);
  t.equal(fs.statSync(config.stateDir).mode & 0o777, 0o700, 'the state directory is root-only');
  t.match(c.envs, {
    [BROKER_ENV.apiSocket]: CONTAINER_API_SOCKET, [BROKER_ENV.fdSocket]: CONTAINER_FD_SOCKET, [BROKER_ENV.claimTokenFile]: CONTAINER_TOKEN_FILE,
  });
  t.same(c.annotations, { [ANNOTATION_CLAIM]: claimId });
  t.equal(broker.claims.get(res.container_responses[1].envs[BROKER_ENV.claim])!.groups[0], 10);
  const nic = await kubelet.allocate(NIC, ['0000:00:06.0']);
  t.equal(broker.claims.get(nic.container_responses[0].envs[BROKER_ENV.claim])!.mode, 'MODE_IOMMUFD', 'the resource\'s mode');

  await t.rejects(kubelet.allocate(EDU, ['0000:00:99.0']), { code: 3 }, 'an unknown device id is INVALID_ARGUMENT');
  // The kubelet gives a device to a new container only after the old one is gone: the stale claim ends.
  const again = await kubelet.allocate(EDU, ['0000:00:03.0']);
  t.equal(broker.claims.get(res.container_responses[1].envs[BROKER_ENV.claim])!.state, 'ended', 'the stale claim ended');
  t.not(again.container_responses[0].envs[BROKER_ENV.claim], res.container_responses[1].envs[BROKER_ENV.claim]);
  const claimed = await kubelet.devices(EDU, (l) => l.length === 3);
  t.ok(claimed.every((d) => d.health === 'Healthy'), 'claimed devices stay Healthy');
});

t.test('kubelet restart: the plugin serves again and re-registers', async (t) => {
  const { kubelet, plugin } = await setup(t);
  await kubelet.registered(2);
  await kubelet.restart();
  t.notOk(fs.existsSync(plugin.endpoints[0].socketPath), 'the restarted kubelet removed our sockets');
  const third = await kubelet.registered(4);
  t.equal(third.version, 'v1beta1');
  t.same(kubelet.registrations.slice(2).map((r) => r.resource_name).sort(), [EDU, NIC], 'both resources registered again');
  t.ok(fs.existsSync(plugin.endpoints[0].socketPath), 'serving on a fresh socket');
  t.equal((await kubelet.devices(EDU, (d) => d.length === 3)).length, 3, 'the new kubelet gets the device list');
  await kubelet.allocate(EDU, ['0000:00:03.0']);
  t.pass('and can allocate');
});

t.test('claims end when PodResources stops listing their devices', async (t) => {
  const { kubelet, broker, plugin, config } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  const a = (await kubelet.allocate(EDU, ['0000:00:03.0'])).container_responses[0].envs[BROKER_ENV.claim];
  const b = (await kubelet.allocate(EDU, ['0000:00:04.0'])).container_responses[0].envs[BROKER_ENV.claim];
  kubelet.assigned.set('pod-a', new Map([[EDU, ['0000:00:03.0']]]));
  kubelet.assigned.set('pod-b', new Map([[EDU, ['0000:00:04.0']]]));
  await new Promise((r) => setTimeout(r, 5)); // past the (1 ms) grace period
  t.same(await plugin.reaper.reap(), [], 'both pods listed: nothing ends');
  kubelet.assigned.delete('pod-b');
  t.same(await plugin.reaper.reap(), [b], 'pod-b gone: its claim ends');
  t.equal(broker.claims.get(b)!.state, 'ended');
  t.match(broker.ended[0].reason, /no longer assigns/);
  t.notOk(fs.existsSync(path.join(config.stateDir, 'claims', b)), 'its token file is removed');
  t.equal(broker.claims.get(a)!.state, 'reserved', 'pod-a keeps its claim');
  t.ok(fs.existsSync(path.join(config.stateDir, 'claims', a, 'token')));
  // A claim someone else ended: its token file goes too (once older than the grace).
  broker.claims.get(a)!.state = 'ended';
  await plugin.reaper.reap();
  t.notOk(fs.existsSync(path.join(config.stateDir, 'claims', a)), 'token of a claim ended elsewhere removed');
});

t.test('a just-allocated claim whose pod is not listed yet is left alone during the grace period', async (t) => {
  const { kubelet, broker, plugin, dir } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  const id = (await kubelet.allocate(EDU, ['0000:00:05.0'])).container_responses[0].envs[BROKER_ENV.claim];
  let now = Date.now();
  const reaper = new ClaimReaper(path.join(dir, 'pod-resources.sock'), plugin.claims, 60_000, quiet, () => now);
  t.teardown(() => reaper.stop());
  t.same(await reaper.reap(), [], 'unlisted but young: kept');
  t.equal(broker.claims.get(id)!.state, 'reserved');
  now += 61_000;
  t.same(await reaper.reap(), [id], 'unlisted after the grace period: ended');
});

t.test('nothing is ended while PodResources cannot be asked', async (t) => {
  const { kubelet, broker, plugin } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3);
  await kubelet.allocate(EDU, ['0000:00:05.0']);
  await kubelet.stop();
  await t.rejects(plugin.reaper.reap());
  t.equal(broker.liveClaims().length, 1, 'the claim lives on');
});

t.test('an unreachable broker makes every device Unhealthy until it is back', async (t) => {
  const { kubelet, broker } = await setup(t);
  await kubelet.devices(EDU, (d) => d.length === 3 && d.every((x) => x.health === 'Healthy'));
  broker.close();
  const d = await kubelet.devices(EDU, (l) => l.every((x) => x.health === 'Unhealthy'));
  t.equal(d.length, 3, 'still listed, all Unhealthy');
  const again = await new FakeBroker(broker.socketPath, broker.groups).listen();
  t.teardown(() => again.close());
  await kubelet.devices(EDU, (l) => l.every((x) => x.health === 'Healthy'));
  t.pass('Healthy again once the broker answers (the watch is retried)');
});
