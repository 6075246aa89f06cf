/**
 * iommufd mode on the real kernel, through the real daemon: a client doing
 * IOAS_ALLOC/bind/attach/IOAS_MAP/DMA by hand, and the real QEMU binary running
 * as uid 65534 on brokered /dev/iommu and vfio cdev fds (vfio-broker-exec --qemu).
 * In the noiommu boot: noiommu groups are listed as unsafe, refused by default,
 * and brokered (legacy only) when the policy allows it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { ScriptedClient, cleanEnv, outsideTap, startHarness, type Harness } from '../fixtures/daemon-harness.js';
import { EDU_ID } from '../fixtures/edu.js';
import { Qmp } from '../fixtures/qmp.js';
import { findTopology } from './topology.js';

const NOBODY = 65534;
/** A uid whose rule has no memlock allowance. */
const TIGHT = 1234;
const here = path.dirname(fileURLToPath(import.meta.url));
const EXEC = path.join(here, '../../bin/vfio-broker-exec');
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

/** QEMU as the issue measured it: -S, so the nested guest never runs and TCG speed does not matter. */
function qemuArgs(qmp: string): string[] {
  return ['qemu-system-x86_64', '-accel', 'tcg', '-machine', 'q35', '-m', '64', '-nodefaults', '-nographic', '-S',
    '-qmp', `unix:${qmp},server=on,wait=off`];
}

function startQemu(h: Harness, uid: number, device: string, qmp: string): ScriptedClient {
  const { apiSocket, fdSocket } = h.config;
  return new ScriptedClient(spawn(...outsideTap(EXEC, ['-s', apiSocket, '--fd-socket', fdSocket, '--device', device, '--qemu', '--', ...qemuArgs(qmp)]), {
    uid, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(),
  }));
}

export default async function (t: Test, variant: string) {
  const topo = findTopology();
  if (variant === 'noiommu') return noiommu(t, topo.standaloneEdu);

  const policy = {
    rules: [
      // 96 MiB fits one QEMU -m 64 (65.8 MiB pinned) but not two: two QEMUs of
      // this uid both starting proves per-process accounting (RLIMIT_MODE 1).
      { name: 'vmms', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8', '1b36:0005'] }, modes: ['legacy', 'iommufd'], memlock: '96m' },
      { name: 'tight', uids: [TIGHT], devices: { vendorDevice: ['1234:11e8'] }, modes: ['legacy', 'iommufd'] },
    ],
  };
  const h = await startHarness(new VfioHost(), policy);
  const baseline = fdCount();
  const api = new ApiClient(h.config.apiSocket);
  const edu = topo.standaloneEdu;
  const edu2 = topo.standaloneEdu2;
  const g1 = topo.group(edu);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-qemu-'));
  fs.chmodSync(tmp, 0o777);

  await t.test('client library, no QEMU: IOAS_ALLOC, bind, attach, IOAS_MAP, DMA and an ID read as uid 65534', async (t) => {
    const c = h.client(NOBODY, [{ op: 'acquire', devices: [edu], mode: 'iommufd' }, { op: 'iommufd-dma', devices: [edu] }, { op: 'release' }]);
    const a = await c.step('acquire');
    t.match(a, { ok: true, iommufd: true, container: false, groups: [], cdevs: [edu], count: 2 }, 'an iommufd fd and one unbound cdev fd');
    const r = await c.step('iommufd-dma');
    t.equal(r.ok, true, `DMA round trip through the IOAS ${JSON.stringify(r)}`);
    t.same(r.ids, [EDU_ID], 'MMIO read of the ID register through the bound cdev');
    t.equal(r.rlimitMode, 1, 'the broker set IOMMU_OPTION_RLIMIT_MODE=1 before handing the iommufd out');
    t.equal((await c.step('release')).ok, true);
    await c.exited;
  });

  await t.test('QEMU as uid 65534 takes the brokered fds; others are refused in either mode; quitting ends the lease', async (t) => {
    const qmpPath = path.join(tmp, 'a.qmp');
    const run = startQemu(h, NOBODY, edu, qmpPath);
    const qmp = await Qmp.connect(qmpPath);
    const ids = await qmp.pciIds();
    t.ok(ids.includes('1234:11e8'), `QMP query-pci lists the assigned edu (${ids.join(' ')})`);
    const lease = h.daemon.service.leases.all().find((l) => l.groups.includes(g1))!;
    t.equal(lease?.mode, 'iommufd', 'an iommufd lease');

    const other = h.client(NOBODY, [{ op: 'acquire', groups: [g1] }, { op: 'acquire', groups: [g1], mode: 'iommufd' }]);
    await other.exited;
    const [legacy, viaIommufd] = other.lines.filter((l) => l.op === 'acquire');
    for (const [what, r] of [['legacy', legacy], ['iommufd', viaIommufd]] as const) {
      t.equal(r.code, 'ALREADY_EXISTS', `a ${what} Acquire is refused while QEMU holds the group`);
      t.equal(r.details['owner-pid'], String(run.child.pid), `${what}: the refusal names the launcher's pid`);
      t.equal(r.details['owner-uid'], String(NOBODY), `${what}: and uid`);
    }

    await qmp.execute('quit');
    qmp.close();
    const end = await run.exited;
    t.same(end, { code: 0, signal: null }, `QEMU quit cleanly ${run.stderr.slice(-500)}`);
    t.equal(h.daemon.service.leases.size, 0, 'the lease ended with QEMU');
  });

  await t.test('without a memlock allowance QEMU fails, and the launcher names the setting', async (t) => {
    const run = startQemu(h, TIGHT, edu, path.join(tmp, 'b.qmp'));
    const end = await run.exited;
    t.not(end.code, 0, 'QEMU cannot pin its RAM');
    t.match(run.stderr, /Raise "memlock" in the vfio-broker policy rule/, "the broker's message names the setting");
    const qemuSays = run.stderr.split('\n').filter((l) => l.startsWith('qemu-system-x86_64:') && !/Cannot reset device/.test(l));
    t.ok(qemuSays.length > 0, `QEMU's own error is visible too: ${qemuSays.join(' | ')}`);
    t.equal(h.daemon.service.leases.size, 0, 'no lease left behind');
  });

  await t.test('two QEMUs of one uid, each with its own edu, both start (per-process memlock accounting)', async (t) => {
    const runs = [startQemu(h, NOBODY, edu, path.join(tmp, 'c.qmp')), startQemu(h, NOBODY, edu2, path.join(tmp, 'd.qmp'))];
    const qmps = await Promise.all([Qmp.connect(path.join(tmp, 'c.qmp')), Qmp.connect(path.join(tmp, 'd.qmp'))]);
    for (const [i, q] of qmps.entries()) {
      // Pinning happens at machine creation, before QMP answers: both running means both pinned 65.8 MiB of a 96 MiB allowance.
      t.ok((await q.pciIds()).includes('1234:11e8'), `QEMU ${i + 1} runs with its edu`);
    }
    t.equal(h.daemon.service.leases.size, 2);
    for (const q of qmps) { await q.execute('quit'); q.close(); }
    for (const r of runs) t.equal((await r.exited).code, 0, r.stderr.slice(-300));
    t.equal(h.daemon.service.leases.size, 0);
  });

  await t.test('the daemon holds no fd once every client is gone', async (t) => {
    api.close();
    await new Promise((r) => setTimeout(r, 500));
    t.equal(fdCount(), baseline, `daemon open-fd count back at its starting value (${baseline})`);
  });
  await h.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

async function noiommu(t: Test, edu: string) {
  const rule = { name: 'users', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] }, memlock: '64m' };
  const h = await startHarness(new VfioHost(), { rules: [rule] });
  const own = new VfioHost();
  await own.ready();
  const g = own.scan().find((x) => x.devices.some((d) => d.name === edu))!;
  try {
    let out = '';
    const w = { write: (s: string) => { out += s; } };
    t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'groups'], w, w), 0);
    const listed = JSON.parse(out).find((x: any) => x.id === g.id);
    t.equal(listed.noiommu, true, `group ${g.id} is listed as noiommu`);
    t.equal(listed.dev_node, `/dev/vfio/noiommu-${g.id}`);
    out = '';
    await brokerctl(['-s', h.config.apiSocket, 'groups'], w, w);
    t.match(out, /UNSAFE-noiommu/, 'and marked UNSAFE in the table');
    t.match(out, /noiommu-legacy/, 'with legacy as its only (unsafe) mode');

    const refused = h.client(NOBODY, [{ op: 'acquire', groups: [g.id] }]);
    const r = await refused.step('acquire');
    t.equal(r.code, 'PERMISSION_DENIED', 'refused by default');
    t.match(r.message, /noiommu/, r.message);
    await refused.exited;

    fs.writeFileSync(h.config.policyFile, JSON.stringify({ rules: [{ ...rule, allowNoiommu: true }] }));
    // The daemon runs in this process: SIGHUP takes the same reload path as in production.
    process.kill(process.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    const c = h.client(NOBODY, [{ op: 'acquire', groups: [g.id] }, { op: 'edu-id', device: edu }, { op: 'acquire', groups: [g.id], mode: 'iommufd' }, { op: 'release' }]);
    const a = await c.step('acquire');
    t.match(a, { ok: true, container: true, devices: [edu] }, 'brokered in legacy mode once the rule allows unsafe noiommu');
    t.equal((await c.step('edu-id')).id, EDU_ID, 'and the device works');
    await c.exited;
    const iommufd = c.lines.filter((l) => l.op === 'acquire')[1];
    t.equal(iommufd.code, 'FAILED_PRECONDITION', 'iommufd mode is not offered for noiommu');
  } finally {
    await h.close();
  }
}
