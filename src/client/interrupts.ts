/**
 * Interrupts of a brokered device, delivered as eventfds: VFIO_DEVICE_GET_IRQ_INFO
 * and VFIO_DEVICE_SET_IRQS on a device fd from a lease (a legacy device fd, or a
 * vfio cdev once bound to an iommufd and attached). No privilege is involved: the
 * device fd is the capability.
 *
 *   const irq = new DeviceInterrupts(lease.devices.get(bdf)!, bdf);
 *   const [ev] = irq.enableMsi(1);          // or enableIntx(), enableMsix(n)
 *   await ev.wait(1000);                    // > 0n: the device interrupted
 *   irq.close();                            // disables and closes the eventfds
 *
 * INTx is level-triggered: the kernel masks the line each time it fires, so
 * after acking the device call unmaskIntx() to receive the next one.
 */
import type { OwnedFd } from '../kernel/owned-fd.js';
import { Device } from '../kernel/vfio/device.js';
import { Eventfd } from '../kernel/eventfd.js';
import { SysError } from '../kernel/sys-error.js';
import {
  VFIO_IRQ_INFO_AUTOMASKED, VFIO_IRQ_INFO_EVENTFD, VFIO_IRQ_INFO_MASKABLE, VFIO_IRQ_INFO_NORESIZE, VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX,
} from '../kernel/vfio/uapi.js';

export { Eventfd };
export const IRQ_INDEX = { intx: VFIO_PCI_INTX_IRQ_INDEX, msi: VFIO_PCI_MSI_IRQ_INDEX, msix: VFIO_PCI_MSIX_IRQ_INDEX } as const;
export type IrqKind = keyof typeof IRQ_INDEX;

export interface IrqInfo {
  index: number;
  /** Interrupts this index has (MSI/MSI-X vectors; 1 for INTx, 0 when the device has none). */
  count: number;
  eventfd: boolean;
  maskable: boolean;
  automasked: boolean;
  noresize: boolean;
  flags: number;
}

/** A failed VFIO_DEVICE_GET_IRQ_INFO: the index, and the kernel's errno as `code`. */
export class IrqInfoError extends SysError {
  readonly index: number;
  constructor(e: SysError, index: number) {
    super(e.op, e.errno, `interrupt index ${index}`);
    this.name = 'IrqInfoError';
    this.index = index;
  }
}

/** A failed VFIO_DEVICE_SET_IRQS: which index and what it was asked to do. */
export class SetIrqsError extends SysError {
  readonly index: number;
  readonly action: string;
  constructor(e: SysError, index: number, action: string) {
    super(e.op, e.errno, `${action} on interrupt index ${index}`);
    this.name = 'SetIrqsError';
    this.index = index;
    this.action = action;
  }
}

export class DeviceInterrupts {
  readonly device: Device;
  /** The eventfds this object created, per index: closed by disable() and close(). */
  #eventfds = new Map<number, Eventfd[]>();

  constructor(fd: OwnedFd | Device, name = 'device') {
    this.device = fd instanceof Device ? fd : Device.fromFd(fd, name);
  }

  info(kind: IrqKind | number): IrqInfo {
    const index = typeof kind === 'number' ? kind : IRQ_INDEX[kind];
    try {
      const r = this.device.irqInfo(index);
      return {
        index, count: r.count, flags: r.flags, eventfd: (r.flags & VFIO_IRQ_INFO_EVENTFD) !== 0,
        maskable: (r.flags & VFIO_IRQ_INFO_MASKABLE) !== 0, automasked: (r.flags & VFIO_IRQ_INFO_AUTOMASKED) !== 0,
        noresize: (r.flags & VFIO_IRQ_INFO_NORESIZE) !== 0,
      };
    } catch (e) {
      throw e instanceof SysError ? new IrqInfoError(e, index) : e;
    }
  }

  /** INTx onto one eventfd (the kernel masks it on each fire: see unmaskIntx). */
  enableIntx(): Eventfd {
    return this.enable(VFIO_PCI_INTX_IRQ_INDEX, 1)[0];
  }

  unmaskIntx(): void {
    this.set(VFIO_PCI_INTX_IRQ_INDEX, 'unmask', () => this.device.irqAction(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK));
  }

  maskIntx(): void {
    this.set(VFIO_PCI_INTX_IRQ_INDEX, 'mask', () => this.device.irqAction(VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK));
  }

  /** `count` MSI vectors, one eventfd each (vector i signals eventfds[i]). */
  enableMsi(count = 1): Eventfd[] {
    return this.enable(VFIO_PCI_MSI_IRQ_INDEX, count);
  }

  enableMsix(count = 1): Eventfd[] {
    return this.enable(VFIO_PCI_MSIX_IRQ_INDEX, count);
  }

  /** Route `count` interrupts of an index to fresh eventfds. */
  enable(index: number, count: number): Eventfd[] {
    if (!Number.isInteger(count) || count < 1 || count > 2048) throw new RangeError(`interrupt count must be 1..2048, not ${count}`);
    const fds: Eventfd[] = [];
    try {
      for (let i = 0; i < count; i++) fds.push(Eventfd.create(`${this.device.name} irq ${index}.${i}`, this.device.fd.libc));
      this.set(index, 'trigger', () => this.device.setIrqsEventfd(index, 0, fds.map((f) => f.fd.fd)));
    } catch (e) {
      for (const f of fds) f.close();
      throw e;
    }
    this.closeEventfds(index);
    this.#eventfds.set(index, fds);
    return fds;
  }

  /** Stop delivering an index's interrupts and close its eventfds. */
  disable(kind: IrqKind | number): void {
    const index = typeof kind === 'number' ? kind : IRQ_INDEX[kind];
    this.set(index, 'disable', () => this.device.disableIrqs(index));
    this.closeEventfds(index);
  }

  private closeEventfds(index: number): void {
    for (const f of this.#eventfds.get(index) ?? []) f.close();
    this.#eventfds.delete(index);
  }

  private set(index: number, action: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      throw e instanceof SysError ? new SetIrqsError(e, index, action) : e;
    }
  }

  /** Disable every index this object enabled and close its eventfds (the device fd stays open). */
  close(): void {
    for (const index of [...this.#eventfds.keys()]) {
      try { this.device.disableIrqs(index); } catch { /* the device fd may be gone already */ }
      this.closeEventfds(index);
    }
  }
}
