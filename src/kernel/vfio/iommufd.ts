/**
 * iommufd (/dev/iommu) and the vfio device cdev (/dev/vfio/devices/vfioX): the
 * modern path, and the only one through which QEMU ≥ 9 takes pre-opened fds.
 * The cdev fd is itself the device fd once bound to an iommufd.
 */
import { check, realLibc, type RawLibc } from '../libc.js';
import { OwnedFd } from '../owned-fd.js';
import { O_CLOEXEC, O_RDWR } from '../constants.js';
import { ioctlStruct } from './ioctl.js';
import { Device } from './device.js';
import {
  IOCTL, IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE, IOMMU_OPTION_OP_GET,
  IOMMU_OPTION_OP_SET, IOMMU_OPTION_RLIMIT_MODE, LAYOUT, struct,
} from './uapi.js';

const CDEV_NAME = /^vfio[0-9]{1,6}$/;

export class Iommufd {
  readonly fd: OwnedFd;

  constructor(fd: OwnedFd) {
    this.fd = fd;
  }

  static open(path = '/dev/iommu', libc: RawLibc = realLibc()): Iommufd {
    const n = check(libc, `open(${path})`, libc.open(path, O_RDWR | O_CLOEXEC, 0));
    return new Iommufd(new OwnedFd(n, 'iommufd', libc));
  }

  private get libc(): RawLibc {
    return this.fd.libc;
  }

  /**
   * RLIMIT_MODE 1 charges pinned memory to each process instead of the whole uid,
   * so two VMMs of one user do not starve each other. Needs CAP_SYS_RESOURCE and
   * must be set before any object exists on the fd (EBUSY after IOAS_ALLOC).
   */
  setRlimitMode(mode: 0 | 1): void {
    const L = LAYOUT.iommu_option;
    const b = struct(L);
    b.writeUInt32LE(IOMMU_OPTION_RLIMIT_MODE, L.option_id);
    b.writeUInt16LE(IOMMU_OPTION_OP_SET, L.op);
    b.writeBigUInt64LE(BigInt(mode), L.val64);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_OPTION, b, 'iommufd, RLIMIT_MODE');
  }

  rlimitMode(): number {
    const L = LAYOUT.iommu_option;
    const b = struct(L);
    b.writeUInt32LE(IOMMU_OPTION_RLIMIT_MODE, L.option_id);
    b.writeUInt16LE(IOMMU_OPTION_OP_GET, L.op);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_OPTION, b, 'iommufd, RLIMIT_MODE');
    return Number(b.readBigUInt64LE(L.val64));
  }

  ioasAlloc(): number {
    const L = LAYOUT.iommu_ioas_alloc;
    const b = struct(L);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_IOAS_ALLOC, b, 'iommufd');
    return b.readUInt32LE(L.out_ioas_id);
  }

  ioasMap(o: { ioas: number; vaddr: bigint; iova: bigint; length: bigint }): void {
    const L = LAYOUT.iommu_ioas_map;
    const b = struct(L);
    b.writeUInt32LE(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, L.flags);
    b.writeUInt32LE(o.ioas, L.ioas_id);
    b.writeBigUInt64LE(o.vaddr, L.user_va);
    b.writeBigUInt64LE(o.length, L.length);
    b.writeBigUInt64LE(o.iova, L.iova);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_IOAS_MAP, b, `iommufd, ioas ${o.ioas}`);
  }

  ioasUnmap(ioas: number, iova: bigint, length: bigint): void {
    const L = LAYOUT.iommu_ioas_unmap;
    const b = struct(L);
    b.writeUInt32LE(ioas, L.ioas_id);
    b.writeBigUInt64LE(iova, L.iova);
    b.writeBigUInt64LE(length, L.length);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_IOAS_UNMAP, b, `iommufd, ioas ${ioas}`);
  }

  destroy(id: number): void {
    const L = LAYOUT.iommu_destroy;
    const b = struct(L);
    b.writeUInt32LE(id, L.id);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.IOMMU_DESTROY, b, `iommufd, object ${id}`);
  }

  close(): void {
    this.fd.close();
  }
}

/** A vfio device cdev: bind it to an iommufd, attach it to an IOAS, then use it as the device. */
export class VfioCdev extends Device {
  static openCdev(cdev: string, name = cdev, devRoot = '/dev/vfio/devices', libc: RawLibc = realLibc()): VfioCdev {
    if (!CDEV_NAME.test(cdev)) throw new RangeError(`invalid vfio cdev name ${JSON.stringify(cdev).slice(0, 40)}`);
    const path = `${devRoot}/${cdev}`;
    const n = check(libc, `open(${path})`, libc.open(path, O_RDWR | O_CLOEXEC, 0));
    return new VfioCdev(new OwnedFd(n, `vfio cdev ${cdev}`, libc), name);
  }

  static fromCdevFd(fd: OwnedFd, name: string): VfioCdev {
    return new VfioCdev(fd, name);
  }

  /** VFIO_DEVICE_BIND_IOMMUFD; returns the device id inside that iommufd. */
  bind(iommufd: Iommufd): number {
    const L = LAYOUT.vfio_device_bind_iommufd;
    const b = struct(L);
    b.writeInt32LE(iommufd.fd.fd, L.iommufd);
    ioctlStruct(this.fd.libc, this.fd.fd, IOCTL.VFIO_DEVICE_BIND_IOMMUFD, b, `cdev ${this.name}`);
    return b.readUInt32LE(L.out_devid);
  }

  attach(ptId: number): void {
    const L = LAYOUT.vfio_device_attach_iommufd_pt;
    const b = struct(L);
    b.writeUInt32LE(ptId, L.pt_id);
    ioctlStruct(this.fd.libc, this.fd.fd, IOCTL.VFIO_DEVICE_ATTACH_IOMMUFD_PT, b, `cdev ${this.name}, pt ${ptId}`);
  }

  detach(): void {
    const b = struct(LAYOUT.vfio_device_detach_iommufd_pt);
    ioctlStruct(this.fd.libc, this.fd.fd, IOCTL.VFIO_DEVICE_DETACH_IOMMUFD_PT, b, `cdev ${this.name}`);
  }
}
