/**
 * A VFIO device fd: regions (BARs, config space), interrupts and reset. It comes
 * from a group fd (legacy) or a vfio cdev (iommufd), and works the same either way.
 */
import { check, type RawLibc } from '../libc.js';
import type { OwnedFd } from '../owned-fd.js';
import { MmapRegion } from '../mmap-region.js';
import { SysError } from '../sys-error.js';
import { ioctlStruct } from './ioctl.js';
import {
  IOCTL, LAYOUT, struct, VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_NONE,
  VFIO_PCI_CONFIG_REGION_INDEX, VFIO_REGION_INFO_FLAG_MMAP,
} from './uapi.js';

export interface RegionInfo {
  index: number;
  flags: number;
  size: bigint;
  offset: bigint;
  mmap: boolean;
}

export class Device {
  readonly fd: OwnedFd;
  readonly name: string;

  constructor(fd: OwnedFd, name: string) {
    this.fd = fd;
    this.name = name;
  }

  static fromFd(fd: OwnedFd, name: string): Device {
    return new Device(fd, name);
  }

  private get libc(): RawLibc {
    return this.fd.libc;
  }

  info(): { flags: number; numRegions: number; numIrqs: number } {
    const L = LAYOUT.vfio_device_info;
    const b = struct(L);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_GET_INFO, b, `device ${this.name}`);
    return { flags: b.readUInt32LE(L.flags), numRegions: b.readUInt32LE(L.num_regions), numIrqs: b.readUInt32LE(L.num_irqs) };
  }

  regionInfo(index: number): RegionInfo {
    const L = LAYOUT.vfio_region_info;
    const b = struct(L);
    b.writeUInt32LE(index, L.index);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_GET_REGION_INFO, b, `device ${this.name}, region ${index}`);
    const flags = b.readUInt32LE(L.flags);
    return { index, flags, size: b.readBigUInt64LE(L.size_), offset: b.readBigUInt64LE(L.offset), mmap: (flags & VFIO_REGION_INFO_FLAG_MMAP) !== 0 };
  }

  irqInfo(index: number): { index: number; flags: number; count: number } {
    const L = LAYOUT.vfio_irq_info;
    const b = struct(L);
    b.writeUInt32LE(index, L.index);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_GET_IRQ_INFO, b, `device ${this.name}, irq ${index}`);
    return { index, flags: b.readUInt32LE(L.flags), count: b.readUInt32LE(L.count) };
  }

  /** Route interrupts `start..start+n` of an index to eventfds. */
  setIrqsEventfd(index: number, start: number, eventfds: number[]): void {
    const L = LAYOUT.vfio_irq_set;
    const b = Buffer.alloc(L.size + 4 * eventfds.length);
    b.writeUInt32LE(b.length, L.argsz);
    b.writeUInt32LE(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, L.flags);
    b.writeUInt32LE(index, L.index);
    b.writeUInt32LE(start, L.start);
    b.writeUInt32LE(eventfds.length, L.count);
    eventfds.forEach((fd, i) => b.writeInt32LE(fd, L.data + 4 * i));
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_SET_IRQS, b, `device ${this.name}, irq ${index}`);
  }

  disableIrqs(index: number): void {
    this.irqAction(index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0);
  }

  /**
   * MASK or UNMASK (DATA_NONE) interrupts `start..start+count` of an index. A
   * level-triggered INTx is masked by the kernel each time it fires: the user
   * acks the device, then unmasks here to get the next one.
   */
  irqAction(index: number, action: number, start = 0, count = 1): void {
    const L = LAYOUT.vfio_irq_set;
    const b = struct(L);
    b.writeUInt32LE(VFIO_IRQ_SET_DATA_NONE | action, L.flags);
    b.writeUInt32LE(index, L.index);
    b.writeUInt32LE(start, L.start);
    b.writeUInt32LE(count, L.count);
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_SET_IRQS, b, `device ${this.name}, irq ${index}`);
  }

  reset(): void {
    ioctlStruct(this.libc, this.fd.fd, IOCTL.VFIO_DEVICE_RESET, null, `device ${this.name}`);
  }

  /** Read `len` bytes of PCI config space. */
  configRead(offset: number, len: number): Buffer {
    const r = this.regionInfo(VFIO_PCI_CONFIG_REGION_INDEX);
    const b = Buffer.alloc(len);
    const n = check(this.libc, `pread(config, ${this.name})`, this.libc.pread(this.fd.fd, b, len, Number(r.offset) + offset));
    if (n !== len) throw new SysError(`pread(config, ${this.name}): short read ${n}/${len}`, 5);
    return b;
  }

  configWrite(offset: number, data: Buffer): void {
    const r = this.regionInfo(VFIO_PCI_CONFIG_REGION_INDEX);
    const n = check(this.libc, `pwrite(config, ${this.name})`, this.libc.pwrite(this.fd.fd, data, data.length, Number(r.offset) + offset));
    if (n !== data.length) throw new SysError(`pwrite(config, ${this.name}): short write ${n}/${data.length}`, 5);
  }

  /** Read `len` bytes at `offset` of a region through the device fd (regions that cannot be mmapped: emulated BARs). */
  regionRead(index: number, offset: number, len: number): Buffer {
    const r = this.regionInfo(index);
    const b = Buffer.alloc(len);
    const n = check(this.libc, `pread(region ${index}, ${this.name})`, this.libc.pread(this.fd.fd, b, len, Number(r.offset) + offset));
    if (n !== len) throw new SysError(`pread(region ${index}, ${this.name}): short read ${n}/${len}`, 5);
    return b;
  }

  regionWrite(index: number, offset: number, data: Buffer): void {
    const r = this.regionInfo(index);
    const n = check(this.libc, `pwrite(region ${index}, ${this.name})`, this.libc.pwrite(this.fd.fd, data, data.length, Number(r.offset) + offset));
    if (n !== data.length) throw new SysError(`pwrite(region ${index}, ${this.name}): short write ${n}/${data.length}`, 5);
  }

  /** mmap a region (a BAR) for register access. */
  mapRegion(index: number): MmapRegion {
    const r = this.regionInfo(index);
    if (!r.mmap) throw new Error(`device ${this.name}: region ${index} cannot be mmapped (flags 0x${r.flags.toString(16)})`);
    return MmapRegion.ofFd(this.fd.fd, Number(r.offset), Number(r.size), `${this.name} region ${index}`, this.libc);
  }

  close(): void {
    this.fd.close();
  }
}
