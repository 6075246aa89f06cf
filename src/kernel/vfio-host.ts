/**
 * The real Host: sysfs inventory, VFIO ioctls, /proc scans, prlimit and driver
 * binding, for the broker service. Everything the daemon asks of the machine
 * passes through here.
 */
import path from 'node:path';
import type { DeviceEvent, Host, HostGroup, LegacyHandles, Holder, MdevInstanceInfo } from './host.js';
import { realLibc, type RawLibc } from './libc.js';
import type { OwnedFd } from './owned-fd.js';
import { LiveInventory } from './sysfs/live-inventory.js';
import { Container } from './vfio/container.js';
import { Group } from './vfio/group.js';
import { Iommufd, VfioCdev } from './vfio/iommufd.js';
import { Device } from './vfio/device.js';
import { DeviceRequestWatch } from './vfio/device-request.js';
import { Procfs } from './procfs.js';
import { raiseMemlock } from './rlimit.js';
import { DriverBinder, type BindResult } from './driver-binding.js';
import { BindTimeoutError, DEFAULT_BIND_DEADLINE_MS, runBinding, type BindMove } from './binding-runner.js';
import { HostCriticalGuard } from './host-critical.js';
import { writeGroupType, type GroupType } from './sysfs/group-type.js';
import { MdevSysfs } from './sysfs/mdev.js';
import { NoSuchDeviceError } from './sysfs/errors.js';

export class VfioHost implements Host {
  readonly root: string;
  readonly live: LiveInventory;
  readonly proc: Procfs;
  readonly binder: DriverBinder;
  readonly guard: HostCriticalGuard;
  readonly bindDeadlineMs: number;
  readonly mdev: MdevSysfs;
  #libc: RawLibc;

  constructor(root = '/', libc: RawLibc = realLibc(), opts: { bindDeadlineMs?: number } = {}) {
    this.bindDeadlineMs = opts.bindDeadlineMs ?? DEFAULT_BIND_DEADLINE_MS;
    this.root = root;
    this.live = new LiveInventory(root);
    this.proc = new Procfs(path.join(root, 'proc'));
    this.binder = new DriverBinder(root);
    this.guard = new HostCriticalGuard(root);
    this.mdev = new MdevSysfs(root);
    this.#libc = libc;
  }

  private dev(p: string): string {
    return path.join(this.root, p);
  }

  /**
   * The inventory, in memory and kept current: read in full once (in a worker),
   * then re-read one group at a time on uevents and on our own binds. A full
   * scan (about 1 s for 10,000 devices) never runs on the event loop nor for a
   * request. Staleness after a missed uevent is safe: the kernel refuses a
   * non-viable group at SET_CONTAINER whatever the inventory says.
   */
  ready(): Promise<void> {
    return this.live.ready();
  }

  scan(): HostGroup[] {
    // The inventory's GroupInfo already is a HostGroup (plus fields the service ignores).
    return this.live.groups();
  }

  group(id: number): HostGroup | undefined {
    return this.live.group(id);
  }

  groupOfDevice(name: string): number | undefined {
    return this.live.groupOfDevice(name);
  }

  deviceChanged(ev: DeviceEvent): void {
    this.live.deviceChanged(ev);
  }

  rescan(): Promise<void> {
    return this.live.rescan();
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

  // The caller reads the inventory right after a bind: its group is re-read now,
  // without waiting for the kernel's uevent (which re-reads it once more).
  async bindVfio(device: string) {
    return pick(await this.move({ op: 'bind', root: this.root, device }));
  }

  async restoreDriver(device: string, expected: string | null) {
    return pick(await this.move({ op: 'restore', root: this.root, device, expected }));
  }

  /** The sysfs writes in a child with a deadline (binding-runner.ts): a stuck unbind never stalls the loop. */
  private async move(m: BindMove): Promise<BindResult> {
    try {
      return await runBinding(m, this.bindDeadlineMs);
    } catch (e) {
      if (e instanceof BindTimeoutError) void e.finished.then(() => this.live.refreshDevice(m.device));
      throw e;
    } finally {
      this.live.refreshDevice(m.device);
    }
  }

  setGroupType(group: number, type: GroupType): string {
    try {
      return writeGroupType(this.root, group, type);
    } finally {
      this.live.refreshGroup(group);
    }
  }

  criticalUses(): Map<string, { reason: string }[]> {
    return this.guard.scan();
  }

  mdevParents() {
    return this.mdev.parents();
  }

  mdevInstances() {
    return this.mdev.instances();
  }

  // The kernel probes the instance (and vfio makes its group) before the write
  // returns: its group is read into the inventory now, not at the uevent.
  createMdev(parent: string, type: string, uuid: string): MdevInstanceInfo {
    this.mdev.create(parent, type, uuid);
    this.live.deviceChanged({ action: 'add', subsystem: 'mdev', name: uuid });
    const i = this.mdev.instance(uuid);
    if (!i) throw new NoSuchDeviceError(`mdev ${uuid} vanished right after it was created`);
    return i;
  }

  async removeMdev(uuid: string, waitMs: number): Promise<boolean> {
    const group = this.mdev.instance(uuid)?.group ?? null;
    const done = await this.mdev.remove(uuid, waitMs);
    if (done) {
      this.live.deviceChanged({ action: 'remove', subsystem: 'mdev', name: uuid });
      if (group !== null && this.live.group(group)) void this.live.rescan();
    }
    return done;
  }

  alive(pid: number, startTime?: string): boolean {
    return this.proc.alive(pid, startTime);
  }

  describe(pid: number) {
    return this.proc.describe(pid);
  }
}

const pick = (r: BindResult) => ({ fromDriver: r.fromDriver, toDriver: r.toDriver, changed: r.changed, note: r.note });
