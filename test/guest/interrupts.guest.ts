/**
 * Interrupts as eventfds through brokered fds, on the real kernel: a uid 65534
 * process holding only what the broker handed it (and eventfds of its own)
 * makes edu raise its interrupt (BAR0 0x60) and sees the eventfd become
 * readable: INTx, acked on the device and unmasked through VFIO each round, and
 * MSI; in legacy mode (a group's device fd) and in iommufd mode (a vfio cdev
 * bound to the brokered iommufd and attached to an IOAS).
 */
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';
import type { IrqRound } from '../fixtures/edu-irq.js';
import { findTopology } from './topology.js';

const NOBODY = 65534;

function checkRounds(t: Test, rounds: IrqRound[], mode: string): void {
  for (const r of rounds) {
    t.ok(r.eventfd && r.count >= 1, `${mode} ${r.kind}: GET_IRQ_INFO reports ${r.count} eventfd-capable interrupt(s)`);
    t.equal(r.before, 0, `${mode} ${r.kind}: the eventfd is quiet before edu raises`);
    t.ok(r.signals.every((n) => n >= 1), `${mode} ${r.kind}: the eventfd became readable on each of ${r.signals.length} raises (counters ${r.signals.join(', ')})`);
    t.same(r.status, r.signals.map((_, i) => 1 << i), `${mode} ${r.kind}: edu's interrupt status shows the raised bit each round (acked in between)`);
  }
  t.same(rounds.map((r) => r.kind), ['intx', 'msi'], `${mode}: both kinds ran`);
}

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const edu = topo.standaloneEdu;
  const policy = { rules: [{ name: 'irq', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] }, modes: ['legacy', 'iommufd'] }] };
  const h = await startHarness(new VfioHost(), policy);
  try {
    for (const mode of ['legacy', 'iommufd'] as const) {
      await t.test(`${mode}: INTx (with unmask) and MSI reach an eventfd in a uid 65534 process`, async (t) => {
        const c = h.client(NOBODY, [{ op: 'acquire', devices: [edu], mode }, { op: 'edu-irq', device: edu, kinds: ['intx', 'msi'] }, { op: 'release' }]);
        const a = await c.step('acquire', 600_000);
        t.equal(a.ok, true, `acquired in ${mode} mode ${JSON.stringify(a)}`);
        if (mode === 'iommufd') t.match(a, { iommufd: true, container: false, cdevs: [edu] }, 'only an iommufd and a cdev were handed over');
        else t.match(a, { container: true, devices: [edu] }, 'a container, the group and the device fd were handed over');
        const r = await c.step('edu-irq', 600_000);
        t.equal(r.ok, true, JSON.stringify(r));
        if (mode === 'iommufd') t.ok(c.lines.some((l) => l.op === 'bound' && l.ok), 'the cdev was bound to the iommufd and attached to an IOAS first');
        if (r.ok) checkRounds(t, r.rounds, mode);
        t.equal((await c.step('release')).ok, true);
        await c.exited;
      });
    }
  } finally {
    await h.close();
  }
}
