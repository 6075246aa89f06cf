/**
 * Tier 2: the kubelet's own device manager (k8s.io/kubernetes/pkg/kubelet/cm/
 * devicemanager, the release pinned in test/k8s/harness/go.mod) admits a pod that
 * requests our resource, with the real vfio-broker-device-plugin registered with
 * it. What the kubelet would give the container has no device node, and its mounts
 * and variables are the ones the plugin meant. The kubelet then restarts (manager
 * recreated) and the plugin registers again.
 *
 * The harness is built by test/k8s/build-harness.sh and cached in
 * ~/.cache/vfio-broker (the first build fetches modules and takes minutes).
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  ANNOTATION_CLAIM, CONTAINER_API_SOCKET, CONTAINER_FD_SOCKET, CONTAINER_SOCKET_DIR, CONTAINER_TOKEN_FILE,
} from '../../src/protocol/k8s-env.js';
import { BROKER_ENV } from '../../src/protocol/env.js';
import { endpointName } from '../../src/k8s/resource-endpoint.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RESOURCE = 'vfio-broker.io/edu';

interface Admission {
  pod: string;
  deviceIDs: Record<string, string[]>;
  envs: Record<string, string>;
  mounts: { containerPath: string; hostPath: string; readOnly: boolean }[];
  devices: unknown[];
  annotations: Record<string, string>;
  cdiDevices: string[];
}
interface Report { capacity: number[]; admissions: Admission[]; restarts: number; pluginDirAfterRestart: string[] }

const hasGo = spawnSync('go', ['version']).status === 0;
const isRoot = process.getuid?.() === 0;

if (!hasGo && process.env.CI) {
  // Go is part of the development setup; in CI its absence is a failure, not a skip.
  t.fail('go is not installed: the kubelet harness cannot be built');
} else {
  const skip = !hasGo ? 'go is not installed: the kubelet harness cannot be built (tier 2 not run)' : !isRoot ? 'needs root for a private mount namespace (unshare --mount)' : false;
  t.test('the kubelet device manager admits a pod through our plugin: no device nodes, our mounts and variables', { skip }, async (t) => {
    t.setTimeout(3600_000);
    const harness = execFileSync('bash', [path.join(ROOT, 'test/k8s/build-harness.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const out = execFileSync('bash', [
      path.join(ROOT, 'test/k8s/run-harness.sh'), harness, '-resource', RESOURCE, '-count', '2', '--',
      process.execPath, '--import', 'tsx', path.join(ROOT, 'test/k8s/plugin-under-kubelet.ts'),
    ], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', process.env.VFIO_BROKER_HARNESS_LOG ? 'inherit' : 'ignore'], timeout: 600_000 });
    const report = JSON.parse(out) as Report;
    t.same(report.capacity, [3, 3], 'the kubelet saw three healthy devices, before and after its restart');
    t.equal(report.admissions.length, 2);

    for (const a of report.admissions) {
      t.test(a.pod, async (t) => {
        t.same(a.devices, [], 'no device nodes');
        t.same(a.cdiDevices, [], 'no CDI devices');
        const claim = a.envs[BROKER_ENV.claim];
        t.match(claim, /^claim-\d+$/, 'the claim id is in the environment');
        t.same(a.annotations, { [ANNOTATION_CLAIM]: claim }, 'and in the annotation');
        t.match(a.envs, {
          [BROKER_ENV.apiSocket]: CONTAINER_API_SOCKET, [BROKER_ENV.fdSocket]: CONTAINER_FD_SOCKET,
          [BROKER_ENV.claimTokenFile]: CONTAINER_TOKEN_FILE, [BROKER_ENV.resource]: RESOURCE,
        }, 'the variables name the sockets and the token file');
        t.equal(a.mounts.length, 2, 'two mounts');
        const sock = a.mounts.find((m) => m.containerPath === CONTAINER_SOCKET_DIR);
        t.ok(sock?.readOnly && /vb-k8s-/.test(sock.hostPath), 'the broker socket directory, read-only');
        const token = a.mounts.find((m) => m.containerPath === CONTAINER_TOKEN_FILE);
        t.ok(token?.readOnly && token.hostPath.endsWith(`/state/claims/${claim}/token`), 'the claim token file, read-only');
      });
    }
    t.same(report.admissions[0].deviceIDs, { [RESOURCE]: ['0000:00:04.0', '0000:00:05.0'] }, 'pod-1 got two devices on one NUMA node (our preferred allocation)');
    t.same(report.admissions[1].deviceIDs, { [RESOURCE]: ['0000:00:03.0'] }, 'pod-2, after the restart, got the device pod-1 does not hold');
    t.equal(report.restarts, 1);
    t.ok(report.pluginDirAfterRestart.includes('kubelet.sock') && report.pluginDirAfterRestart.includes(endpointName(RESOURCE)),
      'the restarted kubelet\'s directory has our endpoint again: the plugin re-registered');
  });
}
