/**
 * The kernel's "please give this device back" signal. When a vfio-pci device is
 * removed or unbound while userspace holds it, the driver's remove blocks until
 * every device fd is closed and, meanwhile, signals the eventfd registered on the
 * device's REQ interrupt index (VFIO_PCI_REQ_IRQ_INDEX). Without a registration
 * the kernel only logs "blocked until released by user" and waits forever.
 *
 * The daemon registers its own eventfd on each device fd it mints, so it can tell
 * the lease's owner. A client that registers its own (QEMU does, to drive guest
 * hot-unplug) replaces ours, which is what it should do.
 */
import { check, type RawLibc } from '../libc.js';
import { OwnedFd } from '../owned-fd.js';
import { watchFd, type FdWatch } from '../poll.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from '../constants.js';
import { Device } from './device.js';
import { VFIO_PCI_REQ_IRQ_INDEX } from './uapi.js';

export class DeviceRequestWatch {
  readonly device: string;
  #eventfd: OwnedFd;
  #watch: FdWatch;
  #count = Buffer.alloc(8);

  private constructor(device: string, eventfd: OwnedFd, onRequest: (count: number) => void) {
    this.device = device;
    this.#eventfd = eventfd;
    this.#watch = watchFd(eventfd.fd, { readable: true }, (ev, status) => {
      if (status < 0 || !ev.readable) return;
      // Reading resets the eventfd counter; the kernel re-signals every 10 s or so.
      const n = eventfd.libc.read(eventfd.fd, this.#count, 8);
      if (n === 8) onRequest(Number(this.#count.readBigUInt64LE(0)));
    });
  }

  /**
   * Register on `dev` (any fd for the device: the registration is per device).
   * Returns null when the device has no request interrupt (not vfio-pci).
   */
  static register(dev: Device, libc: RawLibc, onRequest: (count: number) => void): DeviceRequestWatch | null {
    try {
      if (dev.irqInfo(VFIO_PCI_REQ_IRQ_INDEX).count < 1) return null;
    } catch {
      return null; // index out of range: no request interrupt on this device
    }
    const efd = new OwnedFd(check(libc, 'eventfd', libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), `request eventfd ${dev.name}`, libc);
    try {
      dev.setIrqsEventfd(VFIO_PCI_REQ_IRQ_INDEX, 0, [efd.fd]);
      return new DeviceRequestWatch(dev.name, efd, onRequest);
    } catch (e) {
      efd.close();
      throw e;
    }
  }

  /** Stop listening. The kernel drops its reference when the device's last fd closes. */
  close(): void {
    this.#watch.close();
    this.#eventfd.close();
  }
}
