import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Test } from 'tap';
import { findTopology, driverOf } from './topology.js';

export default async function (t: Test, variant: string) {
  t.ok(fs.existsSync('/dev/vfio/vfio'), '/dev/vfio/vfio exists');
  const topo = findTopology();
  t.equal(driverOf(topo.standaloneEdu), 'vfio-pci', 'standalone edu bound to vfio-pci');
  t.equal(driverOf(topo.nonViable.rng), 'virtio-pci', 'virtio-rng stays on virtio-pci');
  if (variant === 'iommu') {
    t.ok(fs.existsSync('/dev/iommu'), '/dev/iommu exists');
    t.ok(fs.existsSync(`/dev/vfio/${topo.group(topo.standaloneEdu)}`), 'group node exists');
    t.not(topo.group(topo.standaloneEdu), topo.shared.group, 'standalone edu has its own group');
    t.equal(topo.group(topo.shared.edu), topo.shared.group, 'edu and testdev share a group');
  }
  // /dev/vfio/vfio is world-usable (a container alone grants nothing); groups, cdevs and /dev/iommu are not.
  const node = variant === 'iommu' ? `/dev/vfio/${topo.group(topo.standaloneEdu)}` : fs.readdirSync('/dev/vfio').filter((n) => n.startsWith('noiommu-')).map((n) => `/dev/vfio/${n}`)[0];
  const probe = (p: string) => spawnSync(process.execPath, ['-e', `try{require('fs').openSync(${JSON.stringify(p)},'r+');console.log('OPENED')}catch(e){console.log(e.code)}`], { uid: 65534, gid: 65534, encoding: 'utf8' }).stdout.trim();
  t.equal(probe(node), 'EACCES', `uid 65534 cannot open ${node} itself`);
  if (variant === 'iommu') t.equal(probe('/dev/iommu'), 'EACCES', 'nor /dev/iommu');
}
