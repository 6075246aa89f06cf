/**
 * The real Host: sysfs inventory, VFIO ioctls, /proc scans, prlimit and driver
 * binding, for the broker service. Everything the daemon asks of the machine
 * passes through here.
 */
import path from 'node:path';
import type { Host, HostGroup, LegacyHandles, Holder } from './host.js';
import { realLibc, type RawLibc } from './libc.js';
import type { OwnedFd } from './owned-fd.js';
import { SysfsInventory } from './sysfs/inventory.js';
import { Container } from './vfio/container.js';
import { Group } from './vfio/group.js';
import { Iommufd, VfioCdev } from './vfio/iommufd.js';
import { Device } from './vfio/device.js';
import { DeviceRequestWatch } from './vfio/device-request.js';
import { Procfs } from './procfs.js';
import { raiseMemlock } from './rlimit.js';
import { DriverBinder } from './driver-binding.js';
import { HostCriticalGuard } from './host-critical.js';

export class VfioHost implements Host {
  readonly root: string;
  readonly inventory: SysfsInventory;
  readonly proc: Procfs;
  readonly binder: DriverBinder;
  readonly guard: HostCriticalGuard;
  #libc: RawLibc;

  constructor(root = '/', libc: RawLibc = realLibc()) {
    this.root = root;
    this.inventory = new SysfsInventory(root);
    this.proc = new Procfs(path.join(root, 'proc'));
    this.binder = new DriverBinder(root);
    this.guard = new HostCriticalGuard(root);
    this.#libc = libc;
  }

  private dev(p: string): string {
    return path.join(this.root, p);
  }

  /**
   * The inventory, cached: a full scan reads ~10 attributes per device (about
   * 1 s for 10,000 devices in bench/inventory.ts) and the service asks several
   * times per request. Kernel uevents and our own binding invalidate it; the TTL
   * bounds staleness if uevents are unavailable. Staleness is safe: the kernel
   * refuses a non-viable group at SET_CONTAINER whatever the cache says.
   */
  #cache: { at: number; groups: HostGroup[] } | null = null;
  cacheTtlMs = 1000;

  scan(): HostGroup[] {
    const now = Date.now();
    if (this.#cache && now - this.#cache.at < this.cacheTtlMs) return this.#cache.groups;
    // The inventory's GroupInfo already is a HostGroup (plus fields the service ignores).
    const groups = this.inventory.scanGroups();
    // Stamped when the scan ends: on a large host a scan takes about as long as the
    // TTL, and stamping its start left every entry stale on arrival (bench/list-groups).
    this.#cache = { at: Date.now(), groups };
    return groups;
  }

  invalidate(): void {
    this.#cache = null;
  }

  groupOfDevice(name: string): number | undefined {
    try {
      return this.inventory.groupOfDevice(name);
    } catch (e) {
      if ((e as { kind?: string }).kind === 'no-such-device') return undefined;
      throw e;
    }
  }

  openLegacy(groups: HostGroup[]): LegacyHandles {
    const container = Container.open(this.dev('dev/vfio/vfio'), this.#libc);
    const opened = new Map<number, OwnedFd>();
    try {
      for (const g of groups) {
        const grp = Group.open(g.id, { noiommu: g.noiommu, devRoot: this.dev('dev/vfio') }, this.#libc);
        opened.set(g.id, grp.fd);
        grp.setContainer(container);
      }
      container.setIommu({ noiommu: groups.some((g) => g.noiommu) });
      return { container: container.fd, groups: opened };
    } catch (e) {
      for (const fd of opened.values()) fd.close();
      container.close();
      throw e;
    }
  }

  deviceFd(group: OwnedFd, device: string): OwnedFd {
    return Group.fromFd(group, -1).getDeviceFd(device).fd;
  }

  watchRequests(device: OwnedFd, name: string, onRequest: () => void): DeviceRequestWatch | null {
    return DeviceRequestWatch.register(Device.fromFd(device, name), this.#libc, onRequest);
  }

  openIommufd(): OwnedFd {
    const i = Iommufd.open(this.dev('dev/iommu'), this.#libc);
    try {
      i.setRlimitMode(1);
    } catch (e) {
      i.close();
      throw e;
    }
    return i.fd;
  }

  openCdev(cdev: string): OwnedFd {
    return VfioCdev.openCdev(cdev, cdev, this.dev('dev/vfio/devices'), this.#libc).fd;
  }

  holders(g: HostGroup): Holder[] {
    const paths = [g.devNode, ...g.devices.filter((d) => d.cdev).map((d) => `/dev/vfio/devices/${d.cdev}`)];
    return this.proc.holders(paths);
  }

  setMemlock(pid: number, bytes: number): void {
    // Only ever raise: a process that already has more (or unlimited) keeps it.
    raiseMemlock(pid, BigInt(bytes), this.#libc);
  }

  bindVfio(device: string) {
    this.invalidate();
    const r = this.binder.bind(device);
    this.invalidate();
    return { fromDriver: r.fromDriver, toDriver: r.toDriver, changed: r.changed, note: r.note };
  }

  restoreDriver(device: string, expected: string | null) {
    this.invalidate();
    const r = this.binder.restore(device, expected);
    this.invalidate();
    return { fromDriver: r.fromDriver, toDriver: r.toDriver, changed: r.changed, note: r.note };
  }

  criticalUses(): Map<string, { reason: string }[]> {
    return this.guard.scan();
  }

  alive(pid: number, startTime?: string): boolean {
    return this.proc.alive(pid, startTime);
  }

  describe(pid: number) {
    return this.proc.describe(pid);
  }
}
