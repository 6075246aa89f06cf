/**
 * Issue 10: an Unbind of a device in use must not stall the daemon. A root
 * process holds the second standalone edu's device fd open; vfio-pci's remove
 * then waits in the kernel until that fd is closed. Through the real daemon (in
 * this process) as admin: Unbind is in flight while Status and ListGroups are
 * answered (latencies printed, p100 shown against the 100 ms); Unbind
 * ends with DEADLINE_EXCEEDED at the binding deadline; the group refuses another
 * move (ABORTED) until the holder lets go, after which the move completes by
 * itself. A second round shows Unbind completing when the fd is closed before
 * the deadline.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { ScriptedClient, cleanEnv, startHarness } from '../fixtures/daemon-harness.js';
import { findTopology, driverOf, bindVfioPci } from './topology.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOLD = path.join(here, '../fixtures/hold-device.ts');
const DEADLINE_MS = 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const bdf = topo.standaloneEdu2;
  const gid = topo.group(bdf);
  const h = await startHarness(new VfioHost('/', undefined, { bindDeadlineMs: DEADLINE_MS }), { rules: [] }, {}, { uevents: true });
  const api = new ApiClient(h.config.apiSocket);
  const hold = () => {
    const c = new ScriptedClient(spawn(process.execPath, ['--import', 'tsx', HOLD, String(gid), bdf], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }));
    return c;
  };
  /** Status and ListGroups, one after the other, until `until` settles; every latency in ms. */
  const probe = async (until: Promise<unknown>) => {
    let done = false;
    void until.then(() => { done = true; }, () => { done = true; });
    const lat: number[] = [];
    while (!done) {
      for (const call of [() => api.status(), () => api.listGroups()]) {
        const at = process.hrtime.bigint();
        await call();
        lat.push(Number(process.hrtime.bigint() - at) / 1e6);
      }
      await sleep(20);
    }
    return lat;
  };
  const settle = (p: Promise<unknown>) => p.then((r) => ({ ok: true as const, r }), (e: BrokerCallError) => ({ ok: false as const, e }));

  await t.test('Unbind of a device held open: other RPCs answered meanwhile, DEADLINE_EXCEEDED at the deadline', async (t) => {
    const holder = hold();
    t.equal((await holder.step('held')).op, 'held', `pid ${holder.child.pid} holds ${bdf}'s device fd (group ${gid})`);
    const at = Date.now();
    const unbind = settle(api.unbind(gid));
    const lat = await probe(unbind);
    const res = await unbind;
    const tookMs = Date.now() - at;
    const sorted = [...lat].sort((a, b) => a - b);
    t.comment(`while Unbind was stuck in the kernel for ${tookMs} ms: ${lat.length} Status/ListGroups answered, median ${sorted[lat.length >> 1]?.toFixed(1)} ms, p100 ${sorted.at(-1)?.toFixed(1)} ms (issue target: 100 ms)`);
    t.ok(lat.length >= 4, 'the daemon answered other RPCs while Unbind was in flight');
    t.ok(lat.every((ms) => ms < 1000), 'each within a second (TCG guest; the p100 above is the figure)');
    t.equal(res.ok, false, 'Unbind did not succeed while the fd was held');
    if (!res.ok) {
      t.equal(res.e.codeName, 'DEADLINE_EXCEEDED', res.e.message);
      t.match(res.e.message, /did not finish within 8000 ms: the kernel waits for its current user/);
      t.equal(res.e.details.device, bdf, 'the refusal names the device');
    }
    const again = await settle(api.unbind(gid));
    t.equal(again.ok ? 'OK' : again.e.codeName, 'ABORTED', 'a second move of the group is refused while the first waits in the kernel');
    const bind = await settle(api.bind(gid));
    t.equal(bind.ok ? 'OK' : bind.e.codeName, 'ABORTED', 'so is a Bind');
    holder.child.kill('SIGKILL');
    await holder.exited;
    let moved = false;
    for (let i = 0; i < 300 && !moved; i++) {
      await sleep(100);
      const r = await settle(api.bind(gid));
      moved = r.ok;
      if (!r.ok && r.e.codeName !== 'ABORTED') throw r.e;
    }
    t.ok(moved, 'once the holder exited the unbind finished, and the group moves again (Bind back to vfio-pci)');
    t.equal(driverOf(bdf), 'vfio-pci');
  });

  await t.test('Unbind of a device held open completes when the fd is closed before the deadline', async (t) => {
    const holder = hold();
    await holder.step('held');
    const unbind = settle(api.unbind(gid));
    const lat = probe(unbind);
    await sleep(1500);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const res = await unbind;
    const l = await lat;
    t.comment(`${l.length} RPCs answered meanwhile, p100 ${Math.max(...l).toFixed(1)} ms`);
    t.equal(res.ok, true, res.ok ? 'Unbind completed once the holder closed the device' : `${res.e.codeName}: ${res.e.message}`);
    t.not(driverOf(bdf), 'vfio-pci', `${bdf} left vfio-pci (now ${driverOf(bdf) ?? 'no driver'})`);
  });

  // Leave the device as the other suites expect it.
  bindVfioPci(bdf);
  api.close();
  await h.close();
}
