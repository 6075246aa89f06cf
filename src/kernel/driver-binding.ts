/**
 * Managed driver binding (libvirt's managed='yes'): move a PCI device to vfio-pci
 * and back, through driver_override + unbind + drivers_probe. drivers_probe
 * reports success even when no driver took the device, so every step is verified
 * by reading the `driver` link afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeviceName } from '../broker/input.js';

export interface BindResult {
  device: string;
  fromDriver: string | null;
  toDriver: string | null;
  changed: boolean;
  note: string;
}

export class BindError extends Error {
  override name = 'BindError';
  readonly device: string;
  constructor(device: string, message: string) {
    super(message);
    this.device = device;
  }
}

export class DriverBinder {
  readonly root: string;

  constructor(sysfsRoot = '/') {
    this.root = sysfsRoot;
  }

  private dev(name: string, ...rest: string[]): string {
    if (!isDeviceName(name)) throw new BindError(name, `invalid device name ${JSON.stringify(name)}`);
    return path.join(this.root, 'sys/bus/pci/devices', name, ...rest);
  }

  driverOf(name: string): string | null {
    try {
      return path.basename(fs.readlinkSync(this.dev(name, 'driver')));
    } catch {
      return null;
    }
  }

  private write(file: string, value: string): void {
    // sysfs attributes take one write(2); writeFileSync does exactly that for short strings.
    fs.writeFileSync(file, value);
  }

  /** Bind to `target` (default vfio-pci), verifying the result. */
  bind(name: string, target = 'vfio-pci'): BindResult {
    const from = this.driverOf(name);
    if (from === target) return { device: name, fromDriver: from, toDriver: from, changed: false, note: `already on ${target}` };
    this.write(this.dev(name, 'driver_override'), target);
    if (from) this.write(this.dev(name, 'driver', 'unbind'), name);
    try {
      this.write(path.join(this.root, 'sys/bus/pci/drivers_probe'), name);
    } catch (e) {
      // EINVAL/ENODEV here just mean no driver accepted it; the check below says which.
      void e;
    }
    const now = this.driverOf(name);
    if (now !== target) {
      throw new BindError(name, `${name}: drivers_probe left it on ${now ?? 'no driver'} instead of ${target}${now === null ? ` (is the ${target} driver available?)` : ''}`);
    }
    return { device: name, fromDriver: from, toDriver: now, changed: true, note: from ? `moved from ${from}` : 'was unbound' };
  }

  /** Clear driver_override and reprobe, so the kernel's own match picks the driver again. */
  restore(name: string, expected?: string | null): BindResult {
    const from = this.driverOf(name);
    this.write(this.dev(name, 'driver_override'), '\n');
    if (from) this.write(this.dev(name, 'driver', 'unbind'), name);
    try {
      this.write(path.join(this.root, 'sys/bus/pci/drivers_probe'), name);
    } catch { /* no driver wanted it: checked below */ }
    const now = this.driverOf(name);
    const note = expected !== undefined && expected !== now
      ? `expected ${expected ?? 'no driver'} but ${now ?? 'no driver'} took it`
      : now ? `back on ${now}` : 'left unbound (no driver matches it)';
    return { device: name, fromDriver: from, toDriver: now, changed: from !== now, note };
  }
}
