/**
 * A VFIO container (/dev/vfio/vfio): one IOMMU context. Groups are attached to it,
 * then an IOMMU model is chosen, and DMA mappings go through it.
 */
import { check, realLibc, type RawLibc } from '../libc.js';
import { OwnedFd } from '../owned-fd.js';
import { O_CLOEXEC, O_RDWR } from '../constants.js';
import { SysError, isSysError } from '../sys-error.js';
import { ioctlStruct, ioctlValue } from './ioctl.js';
import { memlockLimit } from '../rlimit.js';
import {
  IOCTL, LAYOUT, struct, VFIO_API_VERSION, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_NOIOMMU_IOMMU,
  VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU,
} from './uapi.js';

export class Container {
  readonly fd: OwnedFd;
  iommuType: number | null = null;

  constructor(fd: OwnedFd) {
    this.fd = fd;
  }

  static open(path = '/dev/vfio/vfio', libc: RawLibc = realLibc()): Container {
    const n = check(libc, `open(${path})`, libc.open(path, O_RDWR | O_CLOEXEC, 0));
    const c = new Container(new OwnedFd(n, 'vfio container', libc));
    try {
      const v = c.apiVersion();
      if (v !== VFIO_API_VERSION) throw new Error(`VFIO API version ${v}, expected ${VFIO_API_VERSION}`);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** A container fd that arrived over a socket. */
  static fromFd(fd: OwnedFd): Container {
    return new Container(fd);
  }

  private get libc(): RawLibc {
    return this.fd.libc;
  }

  apiVersion(): number {
    return ioctlValue(this.libc, this.fd.fd, IOCTL.VFIO_GET_API_VERSION, 0, 'container');
  }

  checkExtension(ext: number): boolean {
    return ioctlValue(this.libc, this.fd.fd, IOCTL.VFIO_CHECK_EXTENSION, ext, 'container') > 0;
  }

  /**
   * Pick the IOMMU model once a group is attached: type1v2, else type1, or the
   * noiommu model for noiommu groups. Returns the type chosen.
   */
  setIommu(opts: { noiommu?: boolean } = {}): number {
    const order = opts.noiommu ? [VFIO_NOIOMMU_IOMMU] : [VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU];
    let last: unknown;
    for (const t of order) {
      if (!this.checkExtension(t)) continue;
      try {
        ioctlValue(this.libc, this.fd.fd, IOCTL.VFIO_SET_IOMMU, t, `container, type ${t}`);
        this.iommuType = t;
        return t;
      } catch (e) {
        last = e;
        if (!isSysError(e, 'EINVAL') && !isSysError(e, 'ENODEV')) throw e;
      }
    }
    if (last) throw last;
    throw new Error(`no supported IOMMU model (tried ${order.join(', ')})`);
  }

  iommuInfo(): { flags: number; iovaPgsizes: bigint } {
    const L = LAYOUT.vfio_iommu_type1_info;
    const b = struct(L);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_IOMMU_GET_INFO, b, 'container');
    return { flags: b.readUInt32LE(L.flags), iovaPgsizes: b.readBigUInt64LE(L.iova_pgsizes) };
  }

  mapDma(o: { vaddr: bigint; iova: bigint; size: bigint; read?: boolean; write?: boolean }): void {
    const L = LAYOUT.vfio_iommu_type1_dma_map;
    const b = struct(L);
    b.writeUInt32LE((o.read !== false ? VFIO_DMA_MAP_FLAG_READ : 0) | (o.write !== false ? VFIO_DMA_MAP_FLAG_WRITE : 0), L.flags);
    b.writeBigUInt64LE(o.vaddr, L.vaddr);
    b.writeBigUInt64LE(o.iova, L.iova);
    b.writeBigUInt64LE(o.size, L.size_);
    const what = `container, iova 0x${o.iova.toString(16)} size 0x${o.size.toString(16)}`;
    try {
      ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_IOMMU_MAP_DMA, b, what);
    } catch (e) {
      // The commonest MAP_DMA failure: the pinned pages are charged to the caller's
      // RLIMIT_MEMLOCK. Say so, with the numbers, instead of a bare ENOMEM.
      if (!isSysError(e, 'ENOMEM')) throw e;
      let limit = 'unknown';
      try { limit = `${memlockLimit(0, this.libc).soft / 1024n} KiB`; } catch { /* keep unknown */ }
      throw new SysError(`ioctl(VFIO_IOMMU_MAP_DMA, ${what})`, e.errno,
        `pinning ${o.size / 1024n} KiB is charged to RLIMIT_MEMLOCK, which is ${limit} for this process: raise it, or ask for a memlock allowance in the vfio-broker policy ("memlock")`);
    }
  }

  /** Returns the number of bytes the kernel unmapped. */
  unmapDma(iova: bigint, size: bigint): bigint {
    const L = LAYOUT.vfio_iommu_type1_dma_unmap;
    const b = struct(L);
    b.writeBigUInt64LE(iova, L.iova);
    b.writeBigUInt64LE(size, L.size_);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_IOMMU_UNMAP_DMA, b, `container, iova 0x${iova.toString(16)}`);
    return b.readBigUInt64LE(L.size_);
  }

  close(): void {
    this.fd.close();
  }
}
