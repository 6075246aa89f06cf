/**
 * Deliveries arriving on the fd channel, gathered by request id until their last
 * part, then taken by the call that asked for them. A delivery may also carry the
 * client's tag (Acquire, RedeemClaim): whoever waits on that tag learns the
 * request id and the lease as soon as the fds are in hand, before the gRPC reply.
 */
import type { OwnedFd } from '../kernel/owned-fd.js';
import type { DaemonMessage, DeliveredLease, FdDescriptor } from '../protocol/fd-protocol.js';
import type { DeliveredFds } from './client-types.js';

interface Arrival {
  parts: { descs: FdDescriptor[]; fds: OwnedFd[] }[];
  done: boolean;
  at: number;
  waiters: ((a: Arrival) => void)[];
}

/** A tagged delivery, complete: its request id, and the lease when the daemon sent it. */
export interface Tagged {
  request: string;
  lease?: DeliveredLease;
}

/** Unclaimed deliveries (a reply that never came) are closed after this long. */
const UNCLAIMED_MS = 30_000;

export class Arrivals {
  #byRequest = new Map<string, Arrival>();
  #tags = new Map<string, (t: Tagged) => void>();

  constructor(private closeFd: (fd: OwnedFd) => void) {}

  /** One datagram of a delivery, with the fds that came with it. */
  add(m: Extract<DaemonMessage, { type: 'fds' }>, fds: OwnedFd[]): void {
    const a = this.arrival(m.request);
    a.parts[m.part] = { descs: m.fds, fds };
    if (!m.last) return;
    a.done = true;
    for (const w of a.waiters.splice(0)) w(a);
    const tagged = m.tag !== undefined ? this.#tags.get(m.tag) : undefined;
    if (tagged) {
      this.#tags.delete(m.tag!);
      tagged({ request: m.request, ...(m.lease ? { lease: m.lease } : {}) });
    }
  }

  /** Resolves when a delivery with this tag is complete; `cancel` when the reply made waiting moot. */
  tagged(tag: string): { promise: Promise<Tagged>; cancel: () => void } {
    return {
      promise: new Promise<Tagged>((resolve) => this.#tags.set(tag, resolve)),
      cancel: () => this.#tags.delete(tag),
    };
  }

  /** The fds of a request, once its last part is in (or an Error after timeoutMs). */
  take(requestId: string, timeoutMs = 10_000): Promise<DeliveredFds> {
    const a = this.arrival(requestId);
    const ready = a.done ? Promise.resolve(a) : new Promise<Arrival>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fds for request ${requestId} did not arrive`)), timeoutMs);
      a.waiters.push((x) => { clearTimeout(timer); resolve(x); });
    });
    return ready.then((x) => {
      this.#byRequest.delete(requestId);
      const out: DeliveredFds = { requestId, groups: new Map(), devices: new Map(), cdevs: new Map(), all: [] };
      for (const p of x.parts) {
        p.descs.forEach((d, i) => {
          const fd = p.fds[i];
          out.all.push(fd);
          if (d.role === 'container') out.container = fd;
          else if (d.role === 'group') out.groups.set(d.group!, fd);
          else if (d.role === 'device') out.devices.set(d.device!, fd);
          else if (d.role === 'iommufd') out.iommufd = fd;
          else if (d.role === 'cdev') out.cdevs.set(d.device!, fd);
        });
      }
      return out;
    });
  }

  /** Close the fds of complete deliveries nobody took. */
  sweep(now = Date.now()): void {
    for (const [id, a] of this.#byRequest) {
      if (a.done && now - a.at > UNCLAIMED_MS) {
        for (const p of a.parts) for (const f of p.fds) this.closeFd(f);
        this.#byRequest.delete(id);
      }
    }
  }

  private arrival(id: string): Arrival {
    let a = this.#byRequest.get(id);
    if (!a) {
      a = { parts: [], done: false, at: Date.now(), waiters: [] };
      this.#byRequest.set(id, a);
    }
    return a;
  }
}
