/**
 * The IOMMU group inventory, read from sysfs. Bus-agnostic: a group lists its
 * devices by name (/sys/kernel/iommu_groups/N/devices/*), with PCI details where
 * the device has them. The root is configurable so tests can point it at a
 * synthetic tree. Reads are synchronous and tight: a full scan runs in a worker
 * (full-scan.ts), and on the daemon's own thread only one group is read at a
 * time (live-inventory.ts), which takes well under a millisecond.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkDeviceName, checkGroupId } from './names.js';
import { NoSuchDeviceError, NoSuchGroupError } from './errors.js';
import { SELF, SysfsFiles, SysfsName } from './sysfs-files.js';
import { isDeviceName, isVfioBound } from '../../broker/input.js';

export interface DeviceInfo {
  name: string;
  bus: string | null;
  driver: string | null;
  driverOverride: string | null;
  vendor?: string;
  device?: string;
  subsystemVendor?: string;
  subsystemDevice?: string;
  class?: string;
  bridge: boolean;
  /** Group number the device's own iommu_group link names (should equal the directory's). */
  iommuGroup: number | null;
  /** vfio cdev name (vfio0) under <dev>/vfio-dev/, or null. */
  cdev: string | null;
  numaNode?: number;
  /** PCI devices above it (bridges, root port first), from its path under /sys/devices. */
  upstream?: string[];
  /** A mediated device's type id (its mdev_type link: mtty-2) and parent device (mtty). */
  mdevType?: string;
  mdevParent?: string;
}

/** The files a scan reads, each name encoded once (see sysfs-files.ts). */
const [NAME, TYPE, RESERVED_REGIONS, DEVICES] = ['name', 'type', 'reserved_regions', 'devices'].map((n) => new SysfsName(n));
const [CLASS, DRIVER_OVERRIDE, NUMA_NODE, VENDOR, DEVICE, SUBSYSTEM_VENDOR, SUBSYSTEM_DEVICE] =
  ['class', 'driver_override', 'numa_node', 'vendor', 'device', 'subsystem_vendor', 'subsystem_device'].map((n) => new SysfsName(n));
const [IOMMU_GROUP, SUBSYSTEM, DRIVER, VFIO_DEV] = ['iommu_group', 'subsystem', 'driver', 'vfio-dev'].map((n) => new SysfsName(n));

const PCI_FUNCTION = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

export interface ReservedRegion {
  start: string;
  end: string;
  type: string;
}

export interface GroupInfo {
  id: number;
  devices: DeviceInfo[];
  viable: boolean;
  /** Empty when viable; otherwise names each offending device and its driver. */
  viabilityReason: string;
  type: string | null;
  reservedRegions: ReservedRegion[];
  /** A vfio noiommu group: no isolation at all. */
  noiommu: boolean;
  /**
   * A group vfio made for a mediated device (an emulated IOMMU: the vendor driver
   * mediates every DMA). The kernel names it "vfio-noiommu" too, but it is safe
   * and its node is /dev/vfio/N.
   */
  emulatedIommu: boolean;
  devNode: string;
}

/**
 * Drivers whose devices may share a group with a user-owned device: vfio drivers,
 * and the kernel's driver_managed_dma drivers that never do DMA of their own.
 */
export function driverAllowsUserOwnership(driver: string | null, bus?: string | null): boolean {
  return driver === null || isVfioBound({ bus, driver }) || driver === 'pci-stub' || driver === 'pcieport';
}

export class SysfsInventory {
  readonly root: string;
  readonly groupsDir: string;

  #files: SysfsFiles | undefined;

  constructor(root = '/') {
    this.root = path.resolve(root);
    this.groupsDir = path.join(this.root, 'sys/kernel/iommu_groups');
  }

  /** Made on first read, so that constructing an inventory loads nothing. */
  private get files(): SysfsFiles {
    this.#files ??= new SysfsFiles();
    return this.#files;
  }

  private readAttr(dir: string, name: SysfsName): string | undefined {
    return this.files.attr(dir, name);
  }

  private linkBase(dir: string, name: SysfsName): string | null {
    return this.files.linkBase(dir, name);
  }

  groupIds(): number[] {
    const names = this.files.list(this.groupsDir, SELF) ?? [];
    return names.filter((n) => /^(0|[1-9][0-9]*)$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  scanGroups(): GroupInfo[] {
    return this.groupIds().map((id) => this.readGroup(id));
  }

  getGroup(raw: unknown): GroupInfo {
    const id = checkGroupId(raw);
    if (!fs.existsSync(path.join(this.groupsDir, String(id)))) throw new NoSuchGroupError(`no IOMMU group ${id}`);
    return this.readGroup(id);
  }

  /** The group of a device, from its iommu_group link. */
  groupOfDevice(raw: unknown): number {
    const name = checkDeviceName(raw);
    const g = this.linkBase(path.join(this.root, 'sys/bus/pci/devices', name), IOMMU_GROUP)
      ?? this.linkBase(path.join(this.root, 'sys/bus/platform/devices', name), IOMMU_GROUP)
      ?? this.linkBase(path.join(this.root, 'sys/bus/mdev/devices', name), IOMMU_GROUP);
    if (g === null || !/^\d+$/.test(g)) throw new NoSuchDeviceError(`no device ${name} with an IOMMU group`);
    return Number(g);
  }

  /** One group, or null when its directory is gone (its last device was removed). */
  readGroupIfPresent(id: number): GroupInfo | null {
    // Its devices/ listing is read first anyway; only when that fails is the group looked for.
    const names = this.deviceNames(id);
    if (names === null && !fs.existsSync(path.join(this.groupsDir, String(id)))) return null;
    return this.groupFrom(id, names ?? []);
  }

  /**
   * The group a device's own iommu_group link names, from a uevent's DEVPATH
   * (bus-agnostic) or else its bus's device list; null when it has none (a net
   * or block device, or a device already gone). DEVPATH is confined to sys/devices.
   */
  groupLinkOf(name: string, devpath?: string, subsystem?: string): number | null {
    if (!isDeviceName(name)) return null;
    const dirs: string[] = [];
    if (devpath && /^\/devices\//.test(devpath) && !devpath.split('/').includes('..') && !devpath.includes('\0')) dirs.push(path.join(this.root, 'sys', devpath));
    if (subsystem && /^[a-z0-9_-]+$/i.test(subsystem)) dirs.push(path.join(this.root, 'sys/bus', subsystem, 'devices', name));
    for (const d of dirs) {
      const g = this.linkBase(d, IOMMU_GROUP);
      if (g !== null && /^\d+$/.test(g)) return Number(g);
    }
    return null;
  }

  /** A group's device names, sorted; null when its devices/ cannot be listed. */
  private deviceNames(id: number): string[] | null {
    return this.files.list(`${this.groupsDir}/${id}`, DEVICES);
  }

  // Paths below are concatenated rather than path.join()ed: groupsDir is already
  // normalized and every name comes from a listing (no slash, no dot-dot), and
  // join's normalization was a tenth of a scan.
  readGroup(id: number): GroupInfo {
    return this.groupFrom(id, this.deviceNames(id) ?? [] /* group vanished between listing and reading */);
  }

  private groupFrom(id: number, names: string[]): GroupInfo {
    const dir = `${this.groupsDir}/${id}`;
    const devices = names.map((n) => this.readDevice(`${dir}/devices/${n}`, n));
    const bad = devices.filter((d) => !d.bridge && !driverAllowsUserOwnership(d.driver, d.bus));
    const vfioNamed = this.readAttr(dir, NAME) === 'vfio-noiommu';
    const emulatedIommu = vfioNamed && this.emulated(id, devices);
    const noiommu = vfioNamed && !emulatedIommu;
    return {
      id,
      devices,
      viable: bad.length === 0,
      viabilityReason: bad.map((d) => `${d.name} is bound to ${d.driver} (not a vfio driver)`).join('; '),
      type: this.readAttr(dir, TYPE) ?? null,
      reservedRegions: parseReservedRegions(this.readAttr(dir, RESERVED_REGIONS) ?? ''),
      noiommu,
      emulatedIommu,
      devNode: noiommu ? `/dev/vfio/noiommu-${id}` : `/dev/vfio/${id}`,
    };
  }

  /**
   * vfio allocates an iommu_group named "vfio-noiommu" both for a real noiommu
   * device and for a mediated device (VFIO_EMULATED_IOMMU). The group's vfio class
   * device tells them apart as the kernel does (noiommu-N vs N, which is also the
   * /dev/vfio node); without it, a group of mdev-bus devices only is emulated.
   */
  private emulated(id: number, devices: DeviceInfo[]): boolean {
    const cls = path.join(this.root, 'sys/class/vfio');
    if (fs.existsSync(path.join(cls, `noiommu-${id}`))) return false;
    if (fs.existsSync(path.join(cls, String(id)))) return true;
    return devices.length > 0 && devices.every((d) => d.bus === 'mdev');
  }

  /** p: the device's entry in its group's devices/ (a link to its directory under /sys/devices). */
  private readDevice(p: string, name: string): DeviceInfo {
    const cls = this.readAttr(p, CLASS);
    const override = this.readAttr(p, DRIVER_OVERRIDE);
    let cdev: string | null = null;
    const entries = this.files.list(p, VFIO_DEV);
    if (entries) cdev = entries.find((e) => /^vfio\d+$/.test(e)) ?? null;
    const grp = this.linkBase(p, IOMMU_GROUP);
    const numa = this.readAttr(p, NUMA_NODE);
    const d: DeviceInfo = {
      name,
      bus: this.linkBase(p, SUBSYSTEM),
      driver: this.linkBase(p, DRIVER),
      driverOverride: override && override !== '(null)' ? override : null,
      bridge: cls !== undefined && (cls.startsWith('0x0604') || cls.startsWith('0x0607')),
      iommuGroup: grp !== null && /^\d+$/.test(grp) ? Number(grp) : null,
      cdev,
    };
    const vendor = this.readAttr(p, VENDOR);
    if (vendor !== undefined) {
      d.vendor = vendor;
      d.device = this.readAttr(p, DEVICE);
      d.subsystemVendor = this.readAttr(p, SUBSYSTEM_VENDOR);
      d.subsystemDevice = this.readAttr(p, SUBSYSTEM_DEVICE);
      d.class = cls;
    }
    if (numa !== undefined && /^-?\d+$/.test(numa)) d.numaNode = Number(numa);
    const up = this.upstreamOf(p);
    if (up) d.upstream = up;
    if (d.bus === 'mdev') {
      // mdev_type -> <parent>/mdev_supported_types/<type>
      try {
        const t = fs.realpathSync(`${p}/mdev_type`);
        d.mdevType = path.basename(t);
        d.mdevParent = path.basename(path.dirname(path.dirname(t)));
      } catch { /* not (or no longer) an mdev */ }
    }
    return d;
  }

  /**
   * The PCI devices a device sits behind: the PCI names in its /sys/devices path,
   * itself excluded. That path is the target of its entry in the group's devices/:
   * sysfs writes every link as the way up to the common ancestor and then down the
   * target's real path (../../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0),
   * so one readlink gives what realpath would, without an lstat per component.
   * An entry that is no link is resolved the long way.
   */
  private upstreamOf(p: string): string[] | undefined {
    let target = this.files.link(p, SELF);
    if (target === null) {
      try {
        target = fs.realpathSync(p);
      } catch {
        return undefined;
      }
    }
    // The components before the last, as split('/') would give them; only
    // PCI-name-long ones become strings.
    const up: string[] = [];
    for (let start = 0, end = target.indexOf('/'); end >= 0; start = end + 1, end = target.indexOf('/', start)) {
      if (end - start !== 12) continue;
      const part = target.slice(start, end);
      if (PCI_FUNCTION.test(part)) up.push(part);
    }
    return up;
  }
}

/** "0x00000000fee00000 0x00000000feefffff msi" per line. */
export function parseReservedRegions(text: string): ReservedRegion[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 3 && /^0x/.test(f[0]))
    .map(([start, end, type]) => ({ start, end, type }));
}
