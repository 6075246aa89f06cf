/**
 * A Kubernetes pod, emulated on the real kernel: what the device plugin's
 * Allocate answer gives a container, and nothing more. As root (an admin) the
 * test creates a claim for a standalone edu and writes its token to a file; the
 * "pod" is a cgroup kubepods/besteffort/pod<uid>/<container> and a mount
 * namespace holding only the broker's socket directory and the token file (read
 * only), with /dev a fresh tmpfs (null, zero, urandom: no /dev/vfio, no
 * /dev/iommu). There, as uid 65534, `vfio-broker-exec --claim` redeems the claim
 * and the workload reads edu's ID register through its fds. A second pod with
 * the token copied into it, and a process in no pod, are refused; removing the
 * first pod's cgroup ends the claim and its lease (the broker watches it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient } from '../../src/client/api-client.js';
import { BROKER_ENV } from '../../src/protocol/env.js';
import { ScriptedClient, cleanEnv, nodeScript, startHarness, watchFor, type Harness } from '../fixtures/daemon-harness.js';
import { EDU_ID } from '../fixtures/edu.js';
import { Qmp } from '../fixtures/qmp.js';
import { findTopology } from './topology.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const EXEC = path.join(ROOT, 'bin/vfio-broker-exec');
const UNDER_TMP = ROOT.startsWith('/tmp/');
const WORKLOAD = path.join(ROOT, 'test/fixtures/pod-workload.ts');
const CG = '/sys/fs/cgroup';
/** Where the plugin's Allocate answer mounts things in the container. */
const POD_SOCKETS = '/run/vfio-broker';
const POD_TOKEN = '/run/secrets/vfio-broker/token';

/** A bounded wait: a hang here should fail the test with what it waited for, not stall the guest. */
function within<T>(p: Promise<T>, what: string, ms = 180_000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref())]);
}

function ensureCgroup2(): void {
  if (fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[2] === 'cgroup2')) return;
  fs.mkdirSync(CG, { recursive: true });
  execFileSync('mount', ['-t', 'cgroup2', 'none', CG]);
}

interface Pod { uid: string; podDir: string; ctrDir: string }

function makePod(): Pod {
  const uid = randomUUID();
  const podDir = path.join(CG, 'kubepods/besteffort', `pod${uid}`);
  const ctrDir = path.join(podDir, `ctr${uid.slice(0, 8)}`);
  fs.mkdirSync(ctrDir, { recursive: true });
  return { uid, podDir, ctrDir };
}

/** Empty a pod's cgroups (moving what still runs there to the root, as if killed) and remove them, as the kubelet does. */
function removePod(p: Pod, moveOut = true): void {
  if (moveOut) for (const pid of fs.readFileSync(path.join(p.ctrDir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) fs.writeFileSync(path.join(CG, 'cgroup.procs'), pid);
  fs.rmdirSync(p.ctrDir);
  fs.rmdirSync(p.podDir);
}

/**
 * The container: join its cgroup, a private mount namespace with only the
 * Allocate answer's mounts, then uid 65534 running vfio-broker-exec --claim.
 * `pod` null: a process in no pod (it stays in the root cgroup).
 */
function runInPod(h: Harness, pod: Pod | null, claimId: string, tokenFile: string, extra: string[] = [], workload = `${process.execPath} ${nodeScript(WORKLOAD).join(' ')}`): ScriptedClient {
  const script = [
    'set -e',
    pod ? `echo $$ > ${pod.ctrDir}/cgroup.procs` : ':',
    'mount --make-rprivate /',
    'mount -t tmpfs -o mode=755 tmpfs /run',
    `mkdir -p ${POD_SOCKETS} ${path.dirname(POD_TOKEN)}`,
    `mount --bind ${h.config.runtimeDir} ${POD_SOCKETS}`,
    `touch ${POD_TOKEN}`,
    `mount --bind ${tokenFile} ${POD_TOKEN}`,
    `mount -o remount,bind,ro ${POD_TOKEN}`,
    // The harness's directory and the original token file are out of sight; a
    // checkout under /tmp (a CI clone) is put back at its own path.
    ...(UNDER_TMP ? [`mkdir -p /run/vb-repo`, `mount --bind ${ROOT} /run/vb-repo`] : []),
    'mount -t tmpfs tmpfs /tmp',
    ...(UNDER_TMP ? [`mkdir -p ${ROOT}`, `mount --bind /run/vb-repo ${ROOT}`, 'umount /run/vb-repo', 'rmdir /run/vb-repo'] : []),
    'mount -t tmpfs -o mode=755 tmpfs /dev',
    'mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/urandom c 1 9',
    `exec setpriv --reuid=65534 --regid=65534 --clear-groups env -u NODE_OPTIONS ${BROKER_ENV.apiSocket}=${POD_SOCKETS}/api.sock ${BROKER_ENV.fdSocket}=${POD_SOCKETS}/fd.sock ` +
      `${BROKER_ENV.claim}=${claimId} ${BROKER_ENV.claimTokenFile}=${POD_TOKEN} HOME=/tmp ${EXEC} --claim ${extra.join(' ')} -- ${workload}`,
  ].join('\n');
  return new ScriptedClient(spawn('unshare', ['-m', 'sh', '-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }));
}

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  ensureCgroup2();
  const topo = findTopology();
  const edu = topo.standaloneEdu;
  const group = topo.group(edu);
  // No policy rule for uid 65534: the admin's claim is the authorization.
  const h = await startHarness(new VfioHost(), { rules: [] });
  const api = new ApiClient(h.config.apiSocket);
  const secrets = fs.mkdtempSync('/tmp/vb-pod-');

  for (const mode of ['legacy', 'iommufd'] as const) {
    await t.test(`${mode}: a pod redeems its claim with no VFIO device node; another pod and no pod are refused; the pod's end ends the claim and lease`, async (t) => {
      const created = await api.createClaim({ devices: [edu], mode, ownerRef: `vfio-broker.io/edu:${group}` });
      const claim = created.claim!;
      const tokenFile = path.join(secrets, `${claim.id}.token`);
      fs.writeFileSync(tokenFile, `${created.token}\n`, { mode: 0o644 });
      t.equal(claim.state, 'reserved');
      t.equal((await api.getGroup(group)).claim_id, claim.id, 'Group.claim_id names the claim');

      // A plain Acquire of a claimed group is refused naming the claim (unit and host tests; not repeated here: a client start costs a minute under TCG).
      t.teardown(() => api.endClaim(claim.id, 'test cleanup').catch(() => undefined));
      const podA = makePod();
      const a = runInPod(h, podA, claim.id, tokenFile);
      const w = await a.step('workload', 300_000);
      t.comment(`pod A: ${a.stderr.trim()}`);
      t.equal(w.uid, 65534, 'the workload runs as uid 65534');
      t.equal(w.devVfio, false, 'no /dev/vfio in the pod');
      t.equal(w.devIommu, false, 'no /dev/iommu in the pod');
      t.same(w.dev, ['null', 'urandom', 'zero'], `the pod's /dev: ${w.dev}`);
      t.match(w.cgroup, `/kubepods/besteffort/pod${podA.uid}/`, 'in the pod cgroup');
      t.equal(w.mode, mode);
      t.equal(w.id, EDU_ID, `edu's ID register through the brokered fds: 0x${Number(w.id ?? 0).toString(16)} ${w.error ?? ''}`);
      const bound = (await api.listClaims()).find((c) => c.id === claim.id)!;
      t.equal(bound.state, 'leased');
      t.equal(bound.pod_uid, podA.uid, 'the claim is bound to pod A');
      t.equal(bound.lease_id, w.lease, 'its lease is the workload\'s');

      const podB = makePod();
      const stolen = path.join(secrets, `${claim.id}.stolen`);
      fs.copyFileSync(tokenFile, stolen);
      const b = runInPod(h, podB, claim.id, stolen);
      const bEnd = await within(b.exited, 'pod B\'s launcher');
      t.equal(bEnd.code, 125, 'pod B with the copied token is refused');
      t.match(b.stderr, new RegExp(`refused \\(PERMISSION_DENIED\\): claim ${claim.id} is bound to pod ${podA.uid}; the caller runs in pod ${podB.uid}`), b.stderr.trim());
      if (mode === 'legacy') {
        const c = runInPod(h, null, claim.id, stolen);
        t.equal((await within(c.exited, 'the no-pod launcher')).code, 125, 'a process in no pod is refused');
        t.match(c.stderr, /the caller runs in no pod/);
      }
      removePod(podB, false);
      const refusals = h.audit().filter((r: any) => r.event === 'refusal' && r.rpc === 'RedeemClaim' && r.status === 'PERMISSION_DENIED');
      t.ok(refusals.length >= (mode === 'legacy' ? 2 : 1), `the refusals are audited (${refusals.length} so far)`);

      // Pod A goes: its processes are moved out (they still hold their fds) and its cgroups removed.
      const ended = await watchFor(api, 'claim-ended', (e) => e.claim_id === claim.id);
      removePod(podA);
      const ev = await within(ended.event, 'claim-ended');
      t.match(ev.reason, new RegExp(`pod ${podA.uid} is gone`), `Watch: claim-ended (${ev.reason})`);
      t.equal((await api.listClaims()).find((x) => x.id === claim.id), undefined, 'the claim ended');
      t.equal(h.daemon.service.leases.get(w.lease), undefined, 'and its lease with it');
      t.equal((await api.getGroup(group)).claim_id, '', 'the group is free');
      // The workload still holds its fds (the kernel cannot take them back); it exits, then its launcher.
      process.kill(w.pid, 'SIGKILL');
      await within(a.exited, 'pod A\'s launcher');
    });
  }

  await h.close();
  api.close();

  await t.test('iommufd: the real QEMU in the pod realizes the edu from its claim (vfio-broker-exec --claim --qemu)', async (t) => {
    // QEMU pins its RAM: a rule for the pod's uid lends the claim its memlock allowance.
    const hq = await startHarness(new VfioHost(), { rules: [{ name: 'pods', uids: [65534], devices: { vendorDevice: ['1234:11e8'] }, modes: ['iommufd'], memlock: '96m' }] });
    const apiq = new ApiClient(hq.config.apiSocket);
    const created = await apiq.createClaim({ devices: [edu], mode: 'iommufd', ownerRef: `vfio-broker.io/edu:${group}` });
    const tokenFile = path.join(secrets, `${created.claim!.id}.token`);
    fs.writeFileSync(tokenFile, `${created.token}\n`, { mode: 0o644 });
    const pod = makePod();
    // -S: the nested guest never runs, so TCG speed does not matter; QMP in the pod's private /tmp.
    const qemu = 'qemu-system-x86_64 -accel tcg -machine q35 -m 64 -nodefaults -nographic -S -qmp unix:/tmp/q.qmp,server=on,wait=off';
    const run = runInPod(hq, pod, created.claim!.id, tokenFile, ['--qemu'], qemu);
    // The pod's /tmp is seen through its mount namespace (the launcher's process, same namespace).
    const qmp = await Qmp.connect(`/proc/${run.child.pid}/root/tmp/q.qmp`, 300_000);
    const ids = await qmp.pciIds();
    t.ok(ids.includes('1234:11e8'), `QMP query-pci in the pod's QEMU lists the edu (${ids.join(' ')})`);
    const claim = (await apiq.listClaims()).find((c) => c.id === created.claim!.id)!;
    t.equal(claim.state, 'leased', 'the claim became the QEMU launcher\'s lease');
    t.equal(claim.pod_uid, pod.uid, 'bound to the pod');
    t.equal(hq.daemon.service.leases.get(claim.lease_id)?.mode, 'iommufd', 'an iommufd lease');
    await qmp.execute('quit');
    qmp.close();
    const end = await within(run.exited, 'the pod\'s QEMU launcher');
    t.equal(end.code, 0, `QEMU quit cleanly ${run.stderr.slice(-500)}`);
    removePod(pod);
    await apiq.endClaim(created.claim!.id, 'test cleanup').catch(() => undefined);
    apiq.close();
    await hq.close();
  });
  fs.rmSync(secrets, { recursive: true, force: true });
}
