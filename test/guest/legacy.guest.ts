/**
 * The legacy VFIO sequence through the project's classes, on the real kernel:
 * container → group → SET_CONTAINER → SET_IOMMU → GET_DEVICE_FD → device, region
 * and IRQ info; every known kernel refusal as the right typed error; MMIO and
 * DMA; a shared group; and every fd closed exactly once.
 */
import fs from 'node:fs';
import type { Test } from 'tap';
import { Container } from '../../src/kernel/vfio/container.js';
import { Group } from '../../src/kernel/vfio/group.js';
import { MmapRegion } from '../../src/kernel/mmap-region.js';
import { SysError } from '../../src/kernel/sys-error.js';
import { VFIO_DEVICE_FLAGS_PCI, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INTX_IRQ_INDEX, VFIO_TYPE1v2_IOMMU, VFIO_NOIOMMU_IOMMU } from '../../src/kernel/vfio/uapi.js';
import { findTopology } from './topology.js';
import { EDU_ID, eduDmaRoundTrip, eduReadId } from '../fixtures/edu.js';

const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const code = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (e) { return e instanceof SysError ? e.code : String(e); } };

export default async function (t: Test, variant: string) {
  const topo = findTopology();
  if (variant === 'noiommu') {
    t.test('noiommu: legacy sequence with the noiommu IOMMU model', async (t) => {
      const before = fdCount();
      const gid = topo.group(topo.standaloneEdu);
      const c = Container.open();
      const g = Group.open(gid, { noiommu: true });
      g.setContainer(c);
      t.equal(c.setIommu({ noiommu: true }), VFIO_NOIOMMU_IOMMU);
      const d = g.getDeviceFd(topo.standaloneEdu);
      t.equal(eduReadId(d), EDU_ID, 'BAR0 ID register through mmap');
      d.close(); g.close(); c.close();
      t.equal(fdCount(), before, 'every fd closed');
    });
    return;
  }

  t.test('full legacy sequence on the standalone edu', async (t) => {
    const before = fdCount();
    const gid = topo.group(topo.standaloneEdu);
    const c = Container.open();
    t.equal(c.apiVersion(), 0);
    t.ok(c.checkExtension(VFIO_TYPE1v2_IOMMU), 'type1v2 supported');
    const g = Group.open(gid);
    t.same(g.status(), { viable: true, containerSet: false });
    t.equal(code(() => g.getDeviceFd(topo.standaloneEdu)), 'EINVAL', 'GET_DEVICE_FD before SET_CONTAINER: EINVAL');
    g.setContainer(c);
    t.same(g.status(), { viable: true, containerSet: true });
    t.equal(c.setIommu(), VFIO_TYPE1v2_IOMMU, 'type1v2 chosen');
    t.ok(c.iommuInfo().iovaPgsizes > 0n, 'IOMMU info has page sizes');
    t.equal(code(() => Group.open(gid)), 'EBUSY', 'second open of the group: EBUSY');
    const d = g.getDeviceFd(topo.standaloneEdu);
    const info = d.info();
    t.ok(info.flags & VFIO_DEVICE_FLAGS_PCI, 'a PCI device');
    t.ok(info.numRegions >= 9 && info.numIrqs >= 1, `regions ${info.numRegions}, irqs ${info.numIrqs}`);
    const bar0 = d.regionInfo(0);
    t.ok(bar0.size >= 0x100000n && bar0.mmap, `BAR0 ${bar0.size} bytes, mmappable`);
    t.ok(d.regionInfo(VFIO_PCI_CONFIG_REGION_INDEX).size >= 256n, 'config region');
    t.ok(d.irqInfo(VFIO_PCI_INTX_IRQ_INDEX).count >= 1, 'INTx irq info');
    t.equal(d.configRead(0, 4).readUInt32LE(0), 0x11e81234, 'config space vendor/device');
    t.equal(eduReadId(d), EDU_ID, 'BAR0 ID register through mmap');
    const buf = MmapRegion.anonymous(8192, 'dma buffer');
    c.mapDma({ vaddr: buf.address, iova: 0x100000n, size: 8192n });
    t.ok(await eduDmaRoundTrip(d, buf, 0x100000n), 'edu DMA round trip through MAP_DMA');
    t.equal(c.unmapDma(0x100000n, 8192n), 8192n, 'UNMAP_DMA');
    buf.unmap();
    d.close(); d.close();
    g.close(); c.close();
    t.equal(fdCount(), before, 'every fd closed exactly once (/proc/self/fd count back)');
  });

  t.test('kernel refusals surface as typed errors', async (t) => {
    const before = fdCount();
    const c = Container.open();
    const nv = Group.open(topo.nonViable.group);
    t.same(nv.status(), { viable: false, containerSet: false }, 'virtio-rng makes its group non-viable');
    t.equal(code(() => nv.setContainer(c)), 'EPERM', 'SET_CONTAINER on a non-viable group: EPERM');
    t.equal(code(() => nv.getDeviceFd(topo.nonViable.edu)), 'EINVAL', 'GET_DEVICE_FD there: EINVAL');
    nv.close();
    const sg = Group.open(topo.shared.group);
    sg.setContainer(c);
    c.setIommu();
    t.equal(code(() => sg.getDeviceFd(topo.shared.bridge)), 'ENODEV', 'GET_DEVICE_FD on the bridge: ENODEV');
    t.equal(code(() => sg.getDeviceFd('0000:00:1f.7')), 'ENODEV', 'a device not in the group: ENODEV');
    t.equal(code(() => sg.getDeviceFd('../../x')), 'InvalidNameError: invalid device name "../../x"', 'hostile names never reach the kernel');
    t.equal(code(() => Group.open('1/../2')), 'InvalidNameError: invalid IOMMU group id "1/../2": expected a non-negative integer');
    // Both members of the shared group through one group fd.
    const e = sg.getDeviceFd(topo.shared.edu);
    const p = sg.getDeviceFd(topo.shared.testdev);
    t.equal(eduReadId(e), EDU_ID, 'shared-group edu reads its ID');
    t.equal(p.configRead(0, 4).readUInt32LE(0), 0x00051b36, 'shared-group pci-testdev config space');
    e.close(); p.close(); sg.close(); c.close();
    t.equal(fdCount(), before, 'every fd closed');
  });
}
