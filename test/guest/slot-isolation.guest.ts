/**
 * Slot isolation on the real kernel: QEMU gives two root ports as functions 0
 * and 1 of slot 00:07 (test/vm/guest.ts), an edu behind each; the kernel puts
 * the two edus in separate groups. With `slotIsolation: true` a lease of one
 * takes both groups (and both device fds work for uid 65534); without it, one;
 * a caller whose rule does not cover the sibling is refused with its name.
 */
import fs from 'node:fs';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';
import { EDU_ID } from '../fixtures/edu.js';
import { findTopology } from './topology.js';

const NOBODY = 65534;
const NARROW = 1234;

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  if (!topo.slot) { t.fail('no multifunction slot in the guest topology'); return; }
  const [a, b] = topo.slot.edus;
  const [ga, gb] = [topo.group(a), topo.group(b)];
  const [pa, pb] = topo.slot.ports.map(topo.group);
  const devicesOf = (g: number) => fs.readdirSync(`/sys/kernel/iommu_groups/${g}/devices`).join(' ');
  t.comment(`slot ${topo.slot.ports.join(' + ')}: ${a} in group ${ga} (${devicesOf(ga)}), ${b} in group ${gb} (${devicesOf(gb)}); ports in groups ${pa}, ${pb}`);
  t.equal(new Set([ga, gb, pa, pb]).size, 4, 'the two edus and the two ports are four separate IOMMU groups');

  const policy = {
    slotIsolation: true,
    rules: [
      { name: 'vmms', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] } },
      { name: 'one-function', uids: [NARROW], devices: { devices: [a] } },
    ],
  };
  const h = await startHarness(new VfioHost(), policy);
  try {
    await t.test('a lease of one function\'s group takes the other function\'s group too', async (t) => {
      const c = h.client(NOBODY, [{ op: 'acquire', devices: [a] }, { op: 'edu-id', device: a }, { op: 'edu-id', device: b }, { op: 'hold' }]);
      const r = await c.step('acquire', 600_000);
      t.equal(r.ok, true, JSON.stringify(r));
      t.same([...r.leaseGroups].sort((x: number, y: number) => x - y), [ga, gb].sort((x, y) => x - y), `the lease holds groups ${ga} and ${gb}`);
      t.same([...r.devices].sort(), [a, b].sort(), 'device fds for both functions were delivered');
      await c.step('hold', 600_000); // reported after both edu-id steps
      t.same(c.lines.filter((l) => l.op === 'edu-id').map((x) => x.id), [EDU_ID, EDU_ID], 'MMIO works through both device fds');

      const other = h.client(NOBODY, [{ op: 'acquire', devices: [b] }]);
      const o = await other.step('acquire', 600_000);
      t.equal(o.code, 'ALREADY_EXISTS', 'the sibling function is taken by the first lease');
      await other.exited;
      c.child.kill('SIGKILL');
      await c.exited;
      for (let i = 0; i < 100 && h.daemon.service.leases.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
      t.equal(h.daemon.service.leases.size, 0);
    });

    await t.test('refused, naming the sibling group, when the caller may not lease it', async (t) => {
      const c = h.client(NARROW, [{ op: 'acquire', devices: [a] }], { gid: NOBODY }); // nogroup: the sockets' group
      const r = await c.step('acquire', 600_000);
      t.equal(r.code, 'FAILED_PRECONDITION');
      t.match(r.message, new RegExp(`slot isolation: ${b} \\(group ${gb}\\) shares PCI slot ${topo.slot!.ports[0].replace(/\.[0-7]$/, '')} with ${a}, so the lease must take group ${gb} too, and it cannot: the policy does not let uid ${NARROW} lease it`));
      t.equal(r.details.sibling, String(gb));
      await c.exited;
      t.equal(h.daemon.service.leases.size, 0, 'nothing leased');
    });
  } finally {
    await h.close();
  }
}
