/**
 * A VFIO group (/dev/vfio/N): the unit of isolation and of ownership. The kernel
 * allows one open at a time; device fds come only through it, once it is viable
 * and attached to a container.
 */
import { check, realLibc, type RawLibc } from '../libc.js';
import { OwnedFd } from '../owned-fd.js';
import { O_CLOEXEC, O_RDWR } from '../constants.js';
import { checkDeviceName, checkGroupId } from '../sysfs/names.js';
import { ioctlStruct } from './ioctl.js';
import type { Container } from './container.js';
import { Device } from './device.js';
import { IOCTL, LAYOUT, struct, VFIO_GROUP_FLAGS_CONTAINER_SET, VFIO_GROUP_FLAGS_VIABLE } from './uapi.js';

export class Group {
  readonly fd: OwnedFd;
  readonly id: number;

  constructor(fd: OwnedFd, id: number) {
    this.fd = fd;
    this.id = id;
  }

  /** Open /dev/vfio/N (or noiommu-N). The id is validated before any path is built. */
  static open(rawId: unknown, opts: { noiommu?: boolean; devRoot?: string } = {}, libc: RawLibc = realLibc()): Group {
    const id = checkGroupId(rawId);
    const path = `${opts.devRoot ?? '/dev/vfio'}/${opts.noiommu ? 'noiommu-' : ''}${id}`;
    const n = check(libc, `open(${path})`, libc.open(path, O_RDWR | O_CLOEXEC, 0));
    return new Group(new OwnedFd(n, `vfio group ${id}`, libc), id);
  }

  static fromFd(fd: OwnedFd, id: number): Group {
    return new Group(fd, id);
  }

  private get libc(): RawLibc {
    return this.fd.libc;
  }

  status(): { viable: boolean; containerSet: boolean } {
    const b = struct(LAYOUT.vfio_group_status);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_GROUP_GET_STATUS, b, `group ${this.id}`);
    const flags = b.readUInt32LE(LAYOUT.vfio_group_status.flags);
    return { viable: (flags & VFIO_GROUP_FLAGS_VIABLE) !== 0, containerSet: (flags & VFIO_GROUP_FLAGS_CONTAINER_SET) !== 0 };
  }

  setContainer(c: Container): void {
    // The argument is a pointer to the container's fd number.
    const b = Buffer.alloc(4);
    b.writeInt32LE(c.fd.fd);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_GROUP_SET_CONTAINER, b, `group ${this.id}`);
  }

  unsetContainer(): void {
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_GROUP_UNSET_CONTAINER, null, `group ${this.id}`);
  }

  /** A new device fd; the name is checked so nothing odd reaches the kernel. */
  getDeviceFd(rawName: unknown): Device {
    const name = checkDeviceName(rawName);
    const n = check(this.libc, `ioctl(VFIO_GROUP_GET_DEVICE_FD, group ${this.id}, ${name})`, this.libc.ioctlStr(this.fd.fd, IOCTL.VFIO_GROUP_GET_DEVICE_FD, name));
    return new Device(new OwnedFd(n, `vfio device ${name}`, this.libc), name);
  }

  close(): void {
    this.fd.close();
  }
}
