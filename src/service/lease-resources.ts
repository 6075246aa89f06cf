/**
 * Everything the daemon holds for one lease, owned by one object with one
 * `close()`: its container and group fds together with their fd-store entries,
 * the kernel's device-request watches, the member list as at acquire, and the
 * drivers a managed lease bound, and the mdev an Acquire of a type created. As in systemd-logind, the object that owns a
 * handed-out fd also owns its fd-store entry, so ending a lease cannot forget one.
 */
import type { LegacyHandles } from '../kernel/host.js';
import type { FdStorePort } from './types.js';

export interface Watch { close(): void }

export interface ResourceDeps {
  fdStore?: FdStorePort;
  /** Give a managed lease's group back to its host drivers. */
  restoreBinding(group: number): void | Promise<void>;
  /** Remove an mdev the lease created (never waits: the kernel finishes it once its fds are closed). */
  removeMdev(uuid: string): void;
  warn(message: string): void;
}

export class LeaseResources {
  readonly leaseId: string;
  #handles: LegacyHandles | null = null;
  #watches = new Map<string, Watch>();
  #bound: number[] = [];
  #mdev: string | null = null;
  /** Every member device of the lease's groups, as at acquire: sysfs forgets removed devices. */
  members = new Set<string>();
  #deps: ResourceDeps;
  #closed = false;

  constructor(leaseId: string, deps: ResourceDeps) {
    this.leaseId = leaseId;
    this.#deps = deps;
  }

  get handles(): LegacyHandles | null {
    return this.#handles;
  }

  get watching(): string[] {
    return [...this.#watches.keys()];
  }

  get boundGroups(): number[] {
    return [...this.#bound];
  }

  /**
   * Take the container and group fds. New ones go into the fd store before any
   * copy leaves; recovered ones are already there.
   */
  adoptHandles(h: LegacyHandles, inStore: boolean): void {
    this.#handles = h;
    if (inStore) return;
    try {
      this.#deps.fdStore?.keep(this.leaseId, h);
    } catch (e) {
      // The lease works without it; only a restart would lose its group fds.
      this.#deps.warn(`fd store: cannot keep the fds of lease ${this.leaseId}: ${(e as Error).message}`);
    }
  }

  isWatching(device: string): boolean {
    return this.#watches.has(device);
  }

  addWatch(device: string, w: Watch): void {
    this.#watches.set(device, w);
  }

  /** A managed lease bound these groups' devices to vfio; closing gives them back. */
  addBinding(group: number): void {
    if (!this.#bound.includes(group)) this.#bound.push(group);
  }

  /** The lease owns this mdev (Acquire of a type created it): closing removes it, after the fds. */
  ownMdev(uuid: string): void {
    this.#mdev = uuid;
  }

  get mdev(): string | null {
    return this.#mdev;
  }

  /** The lease ended: close every fd, drop the fd-store entries, stop watching, restore drivers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stopWatching();
    const h = this.#handles;
    this.#handles = null;
    if (h) {
      try {
        this.#deps.fdStore?.drop(this.leaseId, h);
      } catch (e) {
        this.#deps.warn(`fd store: cannot drop the fds of lease ${this.leaseId}: ${(e as Error).message}`);
      }
      closeHandles(h);
    }
    for (const g of this.#bound.splice(0)) {
      const warn = (e: unknown) => this.#deps.warn(`restoring drivers of group ${g} after lease ${this.leaseId}: ${(e as Error).message}`);
      try {
        // Off the loop, with the binding deadline: a device still in use past it is logged, not waited for.
        void this.#deps.restoreBinding(g)?.catch(warn);
      } catch (e) {
        warn(e);
      }
    }
    const m = this.#mdev;
    this.#mdev = null;
    if (m) {
      try {
        this.#deps.removeMdev(m);
      } catch (e) {
        this.#deps.warn(`removing mdev ${m} of lease ${this.leaseId}: ${(e as Error).message}`);
      }
    }
  }

  /**
   * The daemon stops but the lease goes on: close our copies only. The fd store
   * keeps its own for the next start, and the drivers stay bound.
   */
  detach(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stopWatching();
    if (this.#handles) closeHandles(this.#handles);
    this.#handles = null;
  }

  private stopWatching(): void {
    for (const w of this.#watches.values()) w.close();
    this.#watches.clear();
  }
}

export function closeHandles(h: LegacyHandles): void {
  for (const fd of h.groups.values()) fd.close();
  h.container.close();
}
