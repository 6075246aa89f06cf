/**
 * Mediated devices in sysfs, as mdevctl sees them: parents (the devices listed
 * under /sys/class/mdev_bus), their supported types (mdev_supported_types/<type>:
 * name, description, available_instances, device_api, devices/), and instances
 * (/sys/bus/mdev/devices/<uuid>). Creating writes a UUID to the type's `create`;
 * removing writes 1 to the instance's `remove`. A handful of small reads: done
 * synchronously on request, like one group's re-read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { InvalidNameError, NoSuchDeviceError } from './errors.js';
import { MDEV_TYPE, MDEV_UUID, isDeviceName, quoted } from '../../broker/input.js';

export interface MdevInstanceInfo {
  uuid: string;
  type: string;
  parent: string;
  /** Its IOMMU group (an emulated-IOMMU group vfio made), or null while it has none. */
  group: number | null;
  driver: string | null;
}

export interface MdevTypeInfo {
  /** The type's sysfs id, <parent driver>-<type>: mtty-2. */
  id: string;
  name: string;
  description: string;
  availableInstances: number;
  deviceApi: string;
  /** UUIDs of its instances. */
  instances: string[];
}

export interface MdevParentInfo {
  /** The parent device's name (mtty, 0000:00:02.0). */
  name: string;
  driver: string | null;
  types: MdevTypeInfo[];
}

export class MdevSysfs {
  readonly root: string;

  constructor(root = '/') {
    this.root = path.resolve(root);
  }

  private sys(...p: string[]): string {
    return path.join(this.root, 'sys', ...p);
  }

  private attr(p: string): string {
    try {
      return fs.readFileSync(p, 'utf8').trim();
    } catch {
      return '';
    }
  }

  private list(p: string): string[] {
    try {
      return fs.readdirSync(p).sort();
    } catch {
      return [];
    }
  }

  private linkBase(p: string): string | null {
    try {
      return path.basename(fs.readlinkSync(p));
    } catch {
      return null;
    }
  }

  parents(): MdevParentInfo[] {
    return this.list(this.sys('class/mdev_bus')).filter((n) => isDeviceName(n)).map((name) => {
      const dir = this.sys('class/mdev_bus', name);
      const types = this.list(path.join(dir, 'mdev_supported_types')).filter((t) => MDEV_TYPE.test(t)).map((id) => {
        const t = path.join(dir, 'mdev_supported_types', id);
        const avail = this.attr(path.join(t, 'available_instances'));
        return {
          id,
          name: this.attr(path.join(t, 'name')),
          description: this.attr(path.join(t, 'description')),
          availableInstances: /^\d+$/.test(avail) ? Number(avail) : 0,
          deviceApi: this.attr(path.join(t, 'device_api')),
          instances: this.list(path.join(t, 'devices')).filter((u) => MDEV_UUID.test(u)),
        };
      });
      return { name, driver: this.linkBase(path.join(dir, 'driver')), types };
    });
  }

  instances(): MdevInstanceInfo[] {
    return this.list(this.sys('bus/mdev/devices')).filter((u) => MDEV_UUID.test(u)).map((u) => this.instance(u)).filter((i): i is MdevInstanceInfo => i !== null);
  }

  instance(uuid: string): MdevInstanceInfo | null {
    const dir = this.sys('bus/mdev/devices', uuid);
    let type: string;
    try {
      type = fs.realpathSync(path.join(dir, 'mdev_type'));
    } catch {
      return null;
    }
    const g = this.linkBase(path.join(dir, 'iommu_group'));
    return {
      uuid,
      type: path.basename(type),
      parent: path.basename(path.dirname(path.dirname(type))),
      group: g !== null && /^\d+$/.test(g) ? Number(g) : null,
      driver: this.linkBase(path.join(dir, 'driver')),
    };
  }

  /** Write the UUID to <parent>/mdev_supported_types/<type>/create; the kernel probes it before returning. */
  create(parent: string, type: string, uuid: string): void {
    const file = path.join(this.typeDir(parent, type), 'create');
    fs.writeFileSync(file, uuid);
  }

  typeDir(parent: string, type: string): string {
    if (!isDeviceName(parent)) throw new InvalidNameError(`invalid mdev parent ${quoted(parent)}`);
    if (!MDEV_TYPE.test(type)) throw new InvalidNameError(`invalid mdev type ${quoted(type)}`);
    const dir = this.sys('class/mdev_bus', parent, 'mdev_supported_types', type);
    if (!fs.existsSync(dir)) throw new NoSuchDeviceError(`no mdev type ${type} on parent ${parent}`);
    return dir;
  }

  /**
   * Write 1 to the instance's `remove`. The kernel blocks that write until every
   * fd of the device is closed (a client may still hold one after its lease
   * ended), so it runs in a child process: the daemon never waits on it. Resolves
   * true once removed, false if still blocked after `waitMs` (it completes later).
   */
  remove(uuid: string, waitMs: number): Promise<boolean> {
    if (!MDEV_UUID.test(uuid)) throw new InvalidNameError(`invalid mdev UUID ${quoted(uuid)}`);
    const file = this.sys('bus/mdev/devices', uuid, 'remove');
    if (!fs.existsSync(file)) throw new NoSuchDeviceError(`no mdev ${uuid}`);
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', 'echo 1 > "$1"', 'mdev-remove', file], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
      let err = '';
      child.stderr.on('data', (b: Buffer) => { if (err.length < 1000) err += b.toString(); });
      const timer = setTimeout(() => resolve(false), waitMs);
      timer.unref();
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(true);
        else reject(new Error(`removing mdev ${uuid}: ${err.trim() || `exit ${code}`}`));
      });
    });
  }
}
