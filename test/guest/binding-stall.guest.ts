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
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { ScriptedClient, cleanEnv, nodeScript, startHarness } from '../fixtures/daemon-harness.js';
import { findTopology, driverOf, bindVfioPci } from './topology.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOLD = path.join(here, '../fixtures/hold-device.ts');
const DEADLINE_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The kernel log from now on, read without blocking: vfio-pci says when an unbind starts waiting. */
function kernelLog() {
  const fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const buf = Buffer.alloc(16384);
  const drain = () => {
    const lines: string[] = [];
    for (;;) {
      try {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        lines.push(buf.toString('utf8', 0, n));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue; // overwritten records: go on
        return lines; // EAGAIN: nothing more
      }
    }
  };
  drain();
  return {
    async until(re: RegExp, ms = 180_000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const hit = drain().find((l) => re.test(l));
        if (hit) return hit.trim();
        if (Date.now() > end) throw new Error(`the kernel never logged ${re}`);
        await sleep(50);
      }
    },
    close: () => fs.closeSync(fd),
  };
}

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const bdf = topo.standaloneEdu2;
  const gid = topo.group(bdf);
  const h = await startHarness(new VfioHost('/', undefined, { bindDeadlineMs: DEADLINE_MS }), { rules: [] }, {}, { uevents: true });
  const api = new ApiClient(h.config.apiSocket);
  const hold = () => {
    const c = new ScriptedClient(spawn(process.execPath, [...nodeScript(HOLD), String(gid), bdf], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }));
    return c;
  };
  /** Status and ListGroups, one after the other, until `until` settles (or `max` calls); every latency in ms. */
  const probe = async (until: Promise<unknown>, max = Infinity) => {
    let done = false;
    void until.then(() => { done = true; }, () => { done = true; });
    const lat: number[] = [];
    while (!done && lat.length < max) {
      for (const call of [() => api.status(), () => api.listGroups()]) {
        const at = process.hrtime.bigint();
        await call();
        lat.push(Number(process.hrtime.bigint() - at) / 1e6);
      }
      await sleep(20);
    }
    return lat;
  };
  const stats = (lat: number[]) => {
    const s = [...lat].sort((a, b) => a - b);
    return `${lat.length} answered, median ${s[s.length >> 1]?.toFixed(1)} ms, p100 ${s.at(-1)?.toFixed(1)} ms`;
  };
  const blocked = new RegExp(`${bdf.replace(/\./g, '\\.')}: No device request channel registered, blocked until released by user`);
  // Long client deadlines: under TCG the binding helper alone can take a minute to start.
  const callUnbind = () => api.call('Unbind', { group: gid }, 900_000);
  const callBind = () => api.call('Bind', { group: gid }, 900_000);
  const settle = (p: Promise<unknown>) => p.then((r) => ({ ok: true as const, r }), (e: BrokerCallError) => ({ ok: false as const, e }));

  await t.test('Unbind of a device held open: other RPCs answered meanwhile, DEADLINE_EXCEEDED at the deadline', async (t) => {
    const holder = hold();
    t.equal((await holder.step('held', 600_000)).op, 'held', `pid ${holder.child.pid} holds ${bdf}'s device fd (group ${gid})`);
    const baseline = await probe(new Promise(() => {}), 20);
    const log = kernelLog();
    const unbind = settle(callUnbind());
    // From the moment the kernel says the unbind waits for the holder, until Unbind answers.
    const line = await log.until(blocked);
    log.close();
    const at = Date.now();
    const lat = await probe(unbind);
    const res = await unbind;
    t.comment(`kernel: ${line.split(';').pop()}`);
    t.comment(`baseline (no Unbind in flight): ${stats(baseline)}`);
    t.comment(`while the unbind was blocked in the kernel (${Date.now() - at} ms, until the deadline): ${stats(lat)} (issue target: 100 ms; TCG guest on a shared host)`);
    t.ok(lat.length >= 4, 'the daemon kept answering Status and ListGroups while the unbind was blocked in the kernel');
    t.equal(res.ok, false, 'Unbind did not succeed while the fd was held');
    if (!res.ok) {
      t.equal(res.e.codeName, 'DEADLINE_EXCEEDED', res.e.message);
      t.match(res.e.message, /did not finish within 15000 ms: the kernel waits for its current user/);
      t.equal(res.e.details.device, bdf, 'the refusal names the device');
    }
    const again = await settle(callUnbind());
    t.equal(again.ok ? 'OK' : again.e.codeName, 'ABORTED', 'a second move of the group is refused while the first waits in the kernel');
    const bind = await settle(callBind());
    t.equal(bind.ok ? 'OK' : bind.e.codeName, 'ABORTED', 'so is a Bind');
    holder.child.kill('SIGKILL');
    await holder.exited;
    let moved = false;
    for (let i = 0; i < 300 && !moved; i++) {
      await sleep(100);
      const r = await settle(callBind());
      moved = r.ok;
      if (!r.ok && r.e.codeName !== 'ABORTED') throw r.e;
    }
    t.ok(moved, 'once the holder exited the unbind finished, and the group moves again (Bind back to vfio-pci)');
    t.equal(driverOf(bdf), 'vfio-pci');
  });

  await t.test('Unbind of a device held open completes when the fd is closed before the deadline', async (t) => {
    const holder = hold();
    await holder.step('held', 600_000);
    const log = kernelLog();
    const unbind = settle(callUnbind());
    await log.until(blocked);
    log.close();
    const lat = await probe(unbind, 6);
    t.equal(lat.length, 6, `the unbind is blocked in the kernel, the daemon answers meanwhile (${stats(lat)})`);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const res = await unbind;
    t.equal(res.ok, true, res.ok ? 'Unbind completed once the holder closed the device' : `${res.e.codeName}: ${res.e.message}`);
    t.not(driverOf(bdf), 'vfio-pci', `${bdf} left vfio-pci (now ${driverOf(bdf) ?? 'no driver'})`);
  });

  // Leave the device as the other suites expect it.
  bindVfioPci(bdf);
  api.close();
  await h.close();
}
