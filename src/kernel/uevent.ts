/**
 * Kernel uevents (NETLINK_KOBJECT_UEVENT): the kernel announces device removal
 * and arrival here, which is how the broker learns that a leased device went away
 * (hot-unplug, `echo 1 > remove`) without polling sysfs. Read through libuv
 * readiness (koffi poll handle) on a non-blocking socket; never a blocking read.
 */
import { EventEmitter } from 'node:events';
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { SOCK_CLOEXEC, SOCK_NONBLOCK } from './constants.js';
import { isSysError } from './sys-error.js';
import { watchFd, type FdWatch } from './poll.js';

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const NETLINK_KOBJECT_UEVENT = 15;
/** Multicast group 1 carries the kernel's own events (group 2 is udev's re-broadcast). */
const KERNEL_GROUP = 1;

export interface Uevent {
  action: string;
  devpath: string;
  subsystem?: string;
  /** Device name for PCI devices (PCI_SLOT_NAME), else the last devpath component. */
  name: string;
  env: Record<string, string>;
}

/** Parse one datagram: "ACTION@DEVPATH\0KEY=VALUE\0…". Returns null for anything else. */
export function parseUevent(buf: Buffer): Uevent | null {
  const parts = buf.toString('utf8').split('\0').filter(Boolean);
  if (parts.length === 0) return null;
  const head = /^([a-z]+)@(\/.*)$/.exec(parts[0]);
  if (!head) return null; // libudev-format or garbage
  const env: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const i = p.indexOf('=');
    if (i > 0) env[p.slice(0, i)] = p.slice(i + 1);
  }
  const devpath = env.DEVPATH ?? head[2];
  return {
    action: env.ACTION ?? head[1],
    devpath,
    subsystem: env.SUBSYSTEM,
    name: env.PCI_SLOT_NAME ?? devpath.slice(devpath.lastIndexOf('/') + 1),
    env,
  };
}

export class UeventMonitor extends EventEmitter {
  #fd: OwnedFd;
  #poll: FdWatch | null;
  #buf = Buffer.alloc(16384);
  #libc: RawLibc;

  constructor(libc: RawLibc = realLibc()) {
    super();
    this.#libc = libc;
    const n = check(libc, 'socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)', libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT));
    this.#fd = new OwnedFd(n, 'uevent socket', libc);
    try {
      // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
      const addr = Buffer.alloc(12);
      addr.writeUInt16LE(AF_NETLINK, 0);
      addr.writeUInt32LE(0, 4); // let the kernel pick the port id
      addr.writeUInt32LE(KERNEL_GROUP, 8);
      check(libc, 'bind(uevent socket)', libc.bind(n, addr, addr.length));
    } catch (e) {
      this.#fd.close();
      throw e;
    }
    this.#poll = watchFd(n, { readable: true }, () => this.drain());
    // A monitor alone must not keep the daemon alive.
    this.#poll.unref();
  }

  private drain(): void {
    for (;;) {
      let got: number;
      try {
        got = check(this.#libc, 'read(uevent socket)', this.#libc.read(this.#fd.fd, this.#buf, this.#buf.length));
      } catch (e) {
        if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return;
        // ENOBUFS: the kernel dropped events because we were slow; say so, keep going.
        if (isSysError(e, 'ENOBUFS')) {
          this.emit('overrun');
          continue;
        }
        this.emit('error', e);
        return;
      }
      const ev = parseUevent(this.#buf.subarray(0, got));
      if (ev) this.emit('uevent', ev);
    }
  }

  close(): void {
    this.#poll?.close();
    this.#poll = null;
    this.#fd.close();
  }
}
