/**
 * The broker end to end on the real kernel: the real daemon (in this process, as
 * root) and unprivileged clients (uid 65534 and friends) in child processes that
 * use the fds they are handed for MMIO and DMA.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { ScriptedClient, cleanEnv, nodeScript, outsideTap, startHarness, watchFor } from '../fixtures/daemon-harness.js';
import { EDU_ID } from '../fixtures/edu.js';
import { findTopology, driverOf, bindVfioPci } from './topology.js';

const NOBODY = 65534;
const HELPER = 1234;
const STRANGER = 4242;
const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const here = path.dirname(fileURLToPath(import.meta.url));
const EXEC = path.join(here, '../../bin/vfio-broker-exec');
const EXEC_CHILD = path.join(here, '../fixtures/exec-child.ts');

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const policy = {
    rules: [{ name: 'test-users', uids: [NOBODY, HELPER], devices: { vendorDevice: ['1234:11e8', '1b36:0005'] }, memlock: '64m' }],
  };
  const h = await startHarness(new VfioHost(), policy, {}, { uevents: true });
  const baseline = fdCount();
  const api = new ApiClient(h.config.apiSocket);
  const g1 = topo.group(topo.standaloneEdu);
  const g2 = topo.group(topo.standaloneEdu2);

  await t.test('uid 65534 acquires the standalone edu, reads its ID and does DMA', async (t) => {
    const c = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }, { op: 'edu-id', device: topo.standaloneEdu }, { op: 'edu-dma', devices: [topo.standaloneEdu] }, { op: 'release' }]);
    const a = await c.step('acquire');
    t.same({ ok: a.ok, container: a.container, groups: a.groups, devices: a.devices }, { ok: true, container: true, groups: [g1], devices: [topo.standaloneEdu] }, 'container, group and device fds');
    t.equal((await c.step('edu-id')).id, EDU_ID, 'MMIO read of the ID register through the brokered device fd');
    t.equal((await c.step('edu-dma')).ok, true, 'DMA round trip through the brokered container');
    t.equal((await c.step('release')).ok, true);
    await c.exited;
  });

  await t.test('a second client is refused with the owner; kill frees the group', async (t) => {
    const owner = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }, { op: 'hold' }]);
    t.equal((await owner.step('acquire')).ok, true);
    const other = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }]);
    const r = await other.step('acquire');
    t.equal(r.code, 'ALREADY_EXISTS');
    t.equal(r.details['owner-pid'], String(owner.child.pid), 'refusal names the owner pid');
    t.equal(r.details['owner-uid'], String(NOBODY), 'and uid');
    t.equal(r.count, undefined, 'no fds for the loser');
    await other.exited;
    const { event: released } = await watchFor(api, 'lease-released');
    const at = process.hrtime.bigint();
    owner.child.kill('SIGKILL');
    const ev = await released;
    t.comment(`SIGKILL → lease released (seen on Watch): ${(Number(process.hrtime.bigint() - at) / 1e6).toFixed(1)} ms`);
    t.equal(ev.owner.cred.pid, owner.child.pid, 'Watch saw the release of the killed owner');
    await owner.exited;
    const next = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }, { op: 'release' }]);
    t.equal((await next.step('acquire')).ok, true, 'a new client acquires the group');
    await next.exited;
  });

  await t.test('by device name: the whole shared group; non-viable refused naming virtio-rng', async (t) => {
    const c = h.client(NOBODY, [{ op: 'acquire', devices: [topo.shared.testdev] }, { op: 'release' }, { op: 'acquire', groups: [topo.nonViable.group] }]);
    const a = await c.step('acquire');
    t.same(a.groups, [topo.shared.group], 'testdev resolves to its group');
    t.same(a.devices.sort(), [topo.shared.edu, topo.shared.testdev].sort(), 'device fds for both vfio-bound members, none for the bridge');
    await c.exited;
    const nv = c.lines.filter((l) => l.op === 'acquire')[1];
    t.equal(nv.code, 'FAILED_PRECONDITION');
    t.match(nv.message, new RegExp(`${topo.nonViable.rng.replace(/\./g, '\\.')} is bound to virtio-pci`), 'names virtio-rng and its driver');
  });

  await t.test('a uid outside the policy is refused and audited', async (t) => {
    const c = h.client(STRANGER, [{ op: 'acquire', groups: [g1] }], { gid: NOBODY });
    t.equal((await c.step('acquire')).code, 'PERMISSION_DENIED');
    await c.exited;
    t.ok(h.audit().some((a: any) => a.event === 'refusal' && a.who.uid === STRANGER && a.rpc === 'Acquire'), 'refusal in the audit log');
  });

  await t.test('sharing: the helper mints its own device fd and reads BAR0; a third uid cannot', async (t) => {
    // Under TCG two client starts can outlast the default 60 s grant; the thief must meet a live grant.
    const owner = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }, { op: 'share', uid: HELPER, devices: [topo.standaloneEdu], ttlSeconds: 3600 }, { op: 'hold' }]);
    const share = await owner.step('share');
    t.equal(share.ok, true);
    const helper = h.client(HELPER, [{ op: 'redeem', grant: share.grant }, { op: 'edu-id', device: topo.standaloneEdu }], { gid: NOBODY });
    const red = await helper.step('redeem');
    t.same(red.devices, [topo.standaloneEdu], 'fresh device fd for the helper');
    t.equal((await helper.step('edu-id')).id, EDU_ID, 'helper reads BAR0 through its own fd');
    await helper.exited;
    const thief = h.client(STRANGER, [{ op: 'redeem', grant: share.grant }], { gid: NOBODY });
    t.equal((await thief.step('redeem')).code, 'PERMISSION_DENIED', 'third uid with the same grant refused');
    await thief.exited;

    let out = '';
    const w = { write: (s: string) => { out += s; } };
    t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'holders', String(g1)], w, w), 0);
    const holders = JSON.parse(out);
    t.equal(holders.owner.cred.pid, owner.child.pid, 'holders names the owning pid');
    t.ok(holders.holders.some((x: any) => x.pid === owner.child.pid), 'and /proc shows it holding the group open');
    out = '';
    t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'groups'], w, w), 0);
    const groups = JSON.parse(out);
    const sysGroups = fs.readdirSync('/sys/kernel/iommu_groups').map(Number).sort((a, b) => a - b);
    t.same(groups.map((g: any) => g.id), sysGroups, 'groups -o json lists exactly the sysfs groups');
    for (const g of groups) {
      const members = fs.readdirSync(`/sys/kernel/iommu_groups/${g.id}/devices`).sort();
      if (JSON.stringify(g.devices.map((d: any) => d.name).sort()) !== JSON.stringify(members)) t.fail(`group ${g.id} members differ from sysfs`);
      for (const d of g.devices) if ((d.driver || null) !== driverOf(d.name)) t.fail(`${d.name} driver differs from sysfs`);
    }
    t.pass('members and drivers agree with sysfs');
    owner.child.kill('SIGTERM');
    await owner.exited;
  });

  await t.test('two groups in one lease share one container: one MAP_DMA serves both edus', async (t) => {
    const c = h.client(NOBODY, [{ op: 'acquire', groups: [g1, g2] }, { op: 'edu-dma', devices: [topo.standaloneEdu, topo.standaloneEdu2] }, { op: 'release' }]);
    const a = await c.step('acquire');
    t.same(a.groups.sort(), [g1, g2].sort());
    t.equal(a.count, 5, 'one container, two groups, two devices');
    const dma = await c.step('edu-dma');
    t.same(dma.results, [true, true], 'both devices DMA through the one mapping');
    await c.exited;
  });

  await t.test('vfio-broker-exec: the child reads BAR0 through inherited fds; the lease lives exactly as long as it', async (t) => {
    const { apiSocket, fdSocket } = h.config;
    const run = new ScriptedClient(spawn(...outsideTap(EXEC, ['-s', apiSocket, '--fd-socket', fdSocket, '-g', String(g1), '--',
      process.execPath, ...nodeScript(EXEC_CHILD), '--edu', topo.standaloneEdu, '--exit', '3']), {
      uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(),
    }));
    const report = await run.step('child');
    t.match(report, { uid: NOBODY, container: '3', groups: `${g1}=4`, devices: `${topo.standaloneEdu}=5`, allOpen: true }, 'fds at 3, 4, 5, described in the environment');
    t.equal(report.eduId, EDU_ID, 'the child read the edu ID register through the inherited device fd');
    t.same(await run.exited, { code: 3, signal: null }, `the child's exit status comes back ${run.stderr}`);
    t.equal(h.daemon.service.leases.size, 0, 'the lease ended with the child');
  });

  await t.test('removing a leased device: the owner is told, the removal completes once it lets go, Watch sees remove and rescan', async (t) => {
    const dev = topo.standaloneEdu2;
    const owner = h.client(NOBODY, [{ op: 'acquire', groups: [g2] }, { op: 'await-event', kind: 'device-release-requested' }, { op: 'release' }, { op: 'hold' }]);
    const acquired = await owner.step('acquire');
    t.equal(acquired.ok, true);
    const { event: requested } = await watchFor(api, 'device-release-requested', (e) => e.device === dev);
    const { event: removed } = await watchFor(api, 'device-removed', (e) => e.device === dev);
    // Subscribed now: watchFor proves a subscription live through a lease snapshot.
    const { event: added } = await watchFor(api, 'device-added', (e) => e.device === dev);
    // The write blocks in the kernel until every fd of the device is closed, so
    // it runs in its own process: the daemon must stay responsive meanwhile.
    const remover = spawn('sh', ['-c', `echo 1 > /sys/bus/pci/devices/${dev}/remove`], { stdio: 'ignore' });
    const removerDone = new Promise<number | null>((r) => remover.on('exit', r));
    const req = await requested;
    t.equal(req.lease_id, acquired.lease, `Watch: the kernel asks for ${dev} back, naming the lease`);
    const told = await owner.step('await-event');
    t.match(told.event, { kind: 'device-release-requested', device: dev }, 'the owner is told on its session');
    t.equal((await owner.step('release')).ok, true, 'the owner releases, closing its fds');
    t.equal(await removerDone, 0, 'the sysfs remove completes');
    t.equal((await removed).device, dev, 'Watch sees the device removed');
    fs.writeFileSync('/sys/bus/pci/rescan', '1');
    t.equal((await added).device, dev, 'Watch sees it come back on rescan');
    bindVfioPci(dev);
    t.equal(driverOf(dev), 'vfio-pci', 'rebound for whatever runs next');
    owner.child.kill('SIGTERM');
    await owner.exited;
  });

  await t.test('the daemon holds no fd once every client is gone', async (t) => {
    // This test's own Watch client lives in the daemon's process: close it first.
    api.close();
    await new Promise((r) => setTimeout(r, 1000));
    t.equal(h.daemon.service.leases.size, 0, 'no lease left');
    t.equal(fdCount(), baseline, `daemon open-fd count back at its starting value (${baseline})`);
  });

  await h.close();
}
