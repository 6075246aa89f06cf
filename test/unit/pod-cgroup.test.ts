import t from 'tap';
import { podOfCgroupFile, podOfPath } from '../../src/broker/pod-cgroup.js';

const UID = '7f3c2a9e-1b4d-4e8f-9a6b-0c2d3e4f5a6b';
const US = UID.replace(/-/g, '_');
const CTR = 'd1f0a5c8e2b74b3a9c6e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e';

t.test('cgroupfs driver: every QoS class, with and without a container', async (t) => {
  const cases: [string, string][] = [
    [`/kubepods/besteffort/pod${UID}/${CTR}`, `/kubepods/besteffort/pod${UID}`],
    [`/kubepods/burstable/pod${UID}/${CTR}`, `/kubepods/burstable/pod${UID}`],
    [`/kubepods/pod${UID}/${CTR}`, `/kubepods/pod${UID}`],
    [`/kubepods/pod${UID}`, `/kubepods/pod${UID}`],
    // kind / nested: the kubelet's root below a node's own cgroup
    [`/kubelet/kubepods/besteffort/pod${UID}/${CTR}`, `/kubelet/kubepods/besteffort/pod${UID}`],
  ];
  for (const [path, podPath] of cases) t.same(podOfPath(path), { podUid: UID, podPath }, path);
});

t.test('systemd driver: slices with underscores, containerd and cri-o scopes', async (t) => {
  const cases: [string, string][] = [
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${US}.slice/cri-containerd-${CTR}.scope`, `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${US}.slice`],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${US}.slice/crio-${CTR}.scope`, `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${US}.slice`],
    [`/kubepods.slice/kubepods-pod${US}.slice/cri-containerd-${CTR}.scope`, `/kubepods.slice/kubepods-pod${US}.slice`],
    [`/kubepods.slice/kubepods-pod${US}.slice/docker-${CTR}.scope`, `/kubepods.slice/kubepods-pod${US}.slice`],
  ];
  for (const [path, podPath] of cases) t.same(podOfPath(path), { podUid: UID, podPath }, path);
});

t.test('not a pod: host services, users, look-alikes', async (t) => {
  for (const p of [
    '/', '/system.slice/vfio-brokerd.service', '/user.slice/user-1000.slice/session-3.scope', '/init.scope',
    `/pod${UID}/x`, // no kubepods above it
    `/kubepods/besteffort/pod1234/${CTR}`, // not a uid
    `/kubepods/besteffort/podXYZ${UID.slice(3)}/c`,
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID}.slice/x.scope`, // dashes in a systemd slice name
    `/kubepods/besteffort`,
    '/machine.slice/machine-qemu.scope',
  ]) t.equal(podOfPath(p), null, p);
});

t.test('whole /proc/<pid>/cgroup files: v2, v1 hybrid, none, disagreeing lines', async (t) => {
  t.same(podOfCgroupFile(`0::/kubepods/besteffort/pod${UID}/${CTR}\n`), { podUid: UID, podPath: `/kubepods/besteffort/pod${UID}`, unified: true });
  const hybrid = [
    `12:pids:/kubepods/burstable/pod${UID}/${CTR}`,
    `11:memory:/kubepods/burstable/pod${UID}/${CTR}`,
    `1:name=systemd:/kubepods/burstable/pod${UID}/${CTR}`,
    `0::/kubepods/burstable/pod${UID}/${CTR}`,
    '',
  ].join('\n');
  t.same(podOfCgroupFile(hybrid), { podUid: UID, podPath: `/kubepods/burstable/pod${UID}`, unified: true }, 'the unified line wins');
  t.same(podOfCgroupFile(`4:devices:/kubepods.slice/kubepods-pod${US}.slice/cri-containerd-${CTR}.scope\n`), { podUid: UID, podPath: `/kubepods.slice/kubepods-pod${US}.slice`, unified: false }, 'v1 only');
  t.equal(podOfCgroupFile('0::/system.slice/sshd.service\n'), null);
  t.equal(podOfCgroupFile(''), null);
  t.equal(podOfCgroupFile('garbage\nmore garbage'), null);
  const other = '0f3c2a9e-1b4d-4e8f-9a6b-0c2d3e4f5a6b';
  t.equal(podOfCgroupFile(`0::/kubepods/pod${UID}/a\n3:pids:/kubepods/pod${other}/b\n`), null, 'two pods named: refused as no pod');
});
