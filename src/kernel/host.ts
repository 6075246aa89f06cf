/**
 * What the broker service needs from the machine: the only seam between the
 * service and `src/kernel`. The real implementation (src/kernel/vfio-host.ts) does
 * sysfs reads and VFIO ioctls; unit tests substitute a fake at exactly this
 * boundary, and the guest suite runs the real one.
 */
import type { OwnedFd } from './owned-fd.js';
import type { GroupFacts } from '../broker/types.js';
import type { DeviceInfo, GroupInfo } from './sysfs/inventory.js';
import type { DeviceEvent } from './sysfs/live-inventory.js';
import type { GroupType } from './sysfs/group-type.js';
import type { MdevInstanceInfo, MdevParentInfo } from './sysfs/mdev.js';

export type { DeviceEvent } from './sysfs/live-inventory.js';
export type { GroupType } from './sysfs/group-type.js';
export type { MdevInstanceInfo, MdevParentInfo, MdevTypeInfo } from './sysfs/mdev.js';

/** What the service needs of a sysfs group: the inventory's own types, narrowed. */
export type HostDevice = Pick<DeviceInfo, 'name' | 'bus' | 'driver' | 'driverOverride' | 'vendor' | 'device' | 'class' | 'bridge' | 'cdev' | 'upstream' | 'mdevType' | 'mdevParent' | 'numaNode'>;

export interface HostGroup extends GroupFacts, Omit<GroupInfo, 'devices'> {
  devices: HostDevice[];
}

/** The daemon's own handles for a legacy lease: kept to mint device fds later. */
export interface LegacyHandles {
  container: OwnedFd;
  groups: Map<number, OwnedFd>;
}

export interface BindStep { fromDriver: string | null; toDriver: string | null; changed: boolean; note: string }

export interface Holder {
  pid: number;
  uid: number;
  comm: string;
  path: string;
}

export interface Host {
  /** Resolves once the first inventory is read; the daemon answers nothing before. */
  ready(): Promise<void>;
  /** The IOMMU groups, sorted by id: the in-memory inventory, instantly (never a sysfs scan). */
  scan(): HostGroup[];
  /** One group from the inventory's index, or undefined. */
  group(id: number): HostGroup | undefined;
  /** The group a device belongs to (from the index), or undefined. Throws on hostile names. */
  groupOfDevice(name: string): number | undefined;
  /** A kernel uevent: re-read just the groups the device was and is in. */
  deviceChanged(ev: DeviceEvent): void;
  /** A full re-read of sysfs, off the event loop (explicit requests, missed uevents). */
  rescan(): Promise<void>;
  /**
   * Open the container and every group, attach them and set the IOMMU type: one
   * container (one IOMMU domain) for all groups of a lease. On failure everything
   * opened so far is closed before throwing.
   */
  openLegacy(groups: HostGroup[]): LegacyHandles;
  /** A fresh device fd through a group fd the daemon holds. */
  deviceFd(group: OwnedFd, device: string): OwnedFd;
  /**
   * Be told when the kernel wants a device back (it is being removed or unbound
   * while a device fd is open). Null when the device cannot signal that.
   */
  watchRequests(device: OwnedFd, name: string, onRequest: () => void): { close(): void } | null;
  /** /dev/iommu with IOMMU_OPTION_RLIMIT_MODE=1 set (per-process accounting). */
  openIommufd(): OwnedFd;
  /** /dev/vfio/devices/<cdev>, unbound. */
  openCdev(cdev: string): OwnedFd;
  /** Processes that hold /dev/vfio/<group> or one of its cdevs open (scan of /proc/*\/fd). */
  holders(group: HostGroup): Holder[];
  /** Raise RLIMIT_MEMLOCK of `pid` to at least `bytes` (soft and hard). */
  setMemlock(pid: number, bytes: number): void;
  /** Whether a process still exists with the given start time. */
  alive(pid: number, startTime?: string): boolean;
  /**
   * Bind one PCI device to vfio-pci (verified); returns the driver it came from.
   * Off the event loop with a deadline: past it, rejects with a BindTimeoutError
   * (src/kernel/binding-runner.ts) while the move goes on until the kernel lets it finish.
   */
  bindVfio(device: string): Promise<BindStep>;
  /** Clear driver_override and reprobe; `expected` is the driver recorded at bind time. Same deadline. */
  restoreDriver(device: string, expected: string | null): Promise<BindStep>;
  /**
   * Write an IOMMU group's default domain type (sysfs `type`) and return what the
   * kernel shows afterwards. A SysError with EPERM when a driver is bound.
   */
  setGroupType(group: number, type: GroupType): string;
  /** Why the host itself depends on a device (mounted filesystems, routed NICs), by device name. */
  criticalUses(): Map<string, { reason: string }[]>;
  /** Mediated-device parents (/sys/class/mdev_bus) with their supported types. */
  mdevParents(): MdevParentInfo[];
  /** Mediated-device instances (/sys/bus/mdev/devices) with their groups. */
  mdevInstances(): MdevInstanceInfo[];
  /** Create an instance of `type` on `parent`; its group is in the inventory when this returns. */
  createMdev(parent: string, type: string, uuid: string): MdevInstanceInfo;
  /**
   * Remove an instance. True once removed; false if the kernel still waits for a
   * process to close the device after `waitMs` (the removal completes then).
   */
  removeMdev(uuid: string, waitMs: number): Promise<boolean>;
  /** Exe and start time of a pid (best effort), read once when its connection is accepted. */
  describe(pid: number): { exe?: string; startTime?: string };
}
