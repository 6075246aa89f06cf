/**
 * Per-group IOMMU type on the real kernel (intel-iommu): through the daemon's
 * SetGroupType, driven by vfio-brokerctl -o json as root. Refused while a driver
 * is bound (naming it) and while the group is leased; once the daemon's Unbind
 * has taken edu off vfio-pci, the type changes to identity (read back from
 * sysfs), then DMA, and is restored to the original; edu goes back to vfio-pci
 * for the other suites, with the group as it was.
 */
import fs from 'node:fs';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { startHarness } from '../fixtures/daemon-harness.js';
import { bindVfioPci, driverOf, findTopology } from './topology.js';

const NOBODY = 65534;
const sysType = (g: number) => fs.readFileSync(`/sys/kernel/iommu_groups/${g}/type`, 'utf8').trim();

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const edu = topo.standaloneEdu2;
  const g = topo.group(edu);
  const original = sysType(g);
  const h = await startHarness(new VfioHost(), { rules: [{ name: 'u', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] } }] });
  const api = new ApiClient(h.config.apiSocket);
  const ctl = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await brokerctl(['-s', h.config.apiSocket, '-o', 'json', ...args], { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
    return { code, out, err, json: code === 0 ? JSON.parse(out) : undefined };
  };
  try {
    t.equal(driverOf(edu), 'vfio-pci', `edu ${edu} (group ${g}, type ${original}) starts on vfio-pci`);

    await t.test('refused while a driver is bound, naming the device and driver', async (t) => {
      const r = await ctl('group-type', String(g), 'identity');
      t.equal(r.code, 1);
      t.match(r.err, /FAILED_PRECONDITION/);
      t.match(r.err, new RegExp(`${edu} is bound to vfio-pci`));
      t.equal(sysType(g), original, 'the type did not change');
    });

    await t.test('refused while leased', async (t) => {
      const c = h.client(NOBODY, [{ op: 'acquire', groups: [g] }, { op: 'hold' }]);
      t.equal((await c.step('acquire', 600_000)).ok, true, 'uid 65534 holds the group');
      const r = await ctl('group-type', String(g), 'identity');
      t.equal(r.code, 1);
      t.match(r.err, new RegExp(`FAILED_PRECONDITION: group ${g} is leased \\(L-`));
      c.child.kill('SIGKILL');
      await c.exited;
      for (let i = 0; i < 100 && h.daemon.service.leases.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
      t.equal(h.daemon.service.leases.size, 0, 'the lease ended with its owner');
    });

    await t.test('unbound: set identity, read it back, set DMA, restore the original', async (t) => {
      const un = await api.unbind(g);
      t.equal(driverOf(edu), null, `the daemon's Unbind left edu without a driver (${JSON.stringify(un.devices)})`);
      const a = await ctl('group-type', String(g), 'identity');
      t.equal(a.code, 0, a.err);
      t.match(a.json, { group: g, previous: original, type: 'identity', original, restored: false });
      t.equal(sysType(g), 'identity', 'sysfs reads back identity');
      const listed = (await api.getGroup(g)).type;
      t.equal(listed, 'identity', 'GetGroup shows it at once');
      const b = await ctl('group-type', String(g), 'DMA');
      t.match(b.json, { previous: 'identity', type: 'DMA', original });
      t.equal(sysType(g), 'DMA');
      const r = await ctl('group-type', String(g), '--restore');
      t.equal(r.code, 0, r.err);
      t.match(r.json, { type: original, original: '', restored: true });
      t.equal(sysType(g), original, `restored to ${original}`);
      const again = await ctl('group-type', String(g), '--restore');
      t.match(again.err, /nothing to restore/, 'a second restore has nothing to do');
      const bad = await ctl('group-type', String(g), 'passthrough');
      t.match(bad.err, /INVALID_ARGUMENT/);
    });
  } finally {
    // Leave the guest as found: edu on vfio-pci, the original type.
    try { if (sysType(g) !== original && !driverOf(edu)) fs.writeFileSync(`/sys/kernel/iommu_groups/${g}/type`, original); } catch { /* reported below */ }
    bindVfioPci(edu);
    t.equal(driverOf(edu), 'vfio-pci', 'edu back on vfio-pci for the other suites');
    t.equal(sysType(g), original, 'with its original type');
    api.close();
    await h.close();
  }
}
