import { AbortedError, GroupOwnedError, NotFoundError } from './errors.js';
import type { Caller, Mode } from './types.js';

export type LeaseState = 'active' | 'revoking' | 'orphaned';

export interface Lease {
  id: string;
  groups: number[];
  /** The fd-channel session that owns the lease; null while orphaned after a restart. */
  sessionId: string | null;
  owner: Caller;
  mode: Mode;
  since: Date;
  state: LeaseState;
  /** Devices the owner asked for (empty: every vfio-bound member). */
  devices: string[];
  /** Name of the policy rule that allowed it (audit). */
  rule: string;
  memlockBytes: number;
  managed: boolean;
  /**
   * Decided with the rule that allowed the lease and kept with it, so a policy
   * reload that renames or drops the rule cannot open sharing. Undefined only
   * for leases restored from a journal older than this field.
   */
  allowShare?: boolean;
  /** An mdev the broker created for this lease (Acquire of a type): removed when the lease ends. */
  mdev?: string;
  /** Secret that lets the same owner re-attach after a daemon restart. */
  secret: string;
}

export interface ReserveRequest {
  groups: number[];
  sessionId: string;
  owner: Caller;
  mode: Mode;
  devices: string[];
  rule: string;
  memlockBytes: number;
  managed: boolean;
  allowShare?: boolean;
  mdev?: string;
  now: Date;
}

/**
 * The single place where ownership is decided. `reserve` is synchronous and
 * all-or-nothing, so however many acquires race through the event loop, each
 * group ends up with exactly one lease; the kernel is only touched after this
 * table has said yes.
 */
export class LeaseTable {
  #byId = new Map<string, Lease>();
  #byGroup = new Map<number, Lease>();
  #newId: () => string;

  constructor(newId: () => string) {
    this.#newId = newId;
  }

  get size(): number {
    return this.#byId.size;
  }

  all(): Lease[] {
    return [...this.#byId.values()];
  }

  get(id: string): Lease | undefined {
    return this.#byId.get(id);
  }

  mustGet(id: string): Lease {
    const l = this.#byId.get(id);
    if (!l) throw new NotFoundError(`no lease ${id}`, { lease: id });
    return l;
  }

  ownerOf(group: number): Lease | undefined {
    return this.#byGroup.get(group);
  }

  ofSession(sessionId: string): Lease[] {
    return this.all().filter((l) => l.sessionId === sessionId);
  }

  countForUid(uid: number): number {
    let n = 0;
    for (const l of this.#byId.values()) if (l.owner.uid === uid) n++;
    return n;
  }

  /** Reserve every group or none. Throws GroupOwnedError naming the current owner. */
  reserve(req: ReserveRequest, secret: string): Lease {
    const groups = [...new Set(req.groups)].sort((a, b) => a - b);
    for (const g of groups) {
      const holder = this.#byGroup.get(g);
      if (holder) throw ownedError(g, holder);
    }
    const lease: Lease = {
      id: this.#newId(),
      groups,
      sessionId: req.sessionId,
      owner: req.owner,
      mode: req.mode,
      since: req.now,
      state: 'active',
      devices: req.devices,
      rule: req.rule,
      memlockBytes: req.memlockBytes,
      managed: req.managed,
      allowShare: req.allowShare,
      ...(req.mdev ? { mdev: req.mdev } : {}),
      secret,
    };
    this.insert(lease);
    return lease;
  }

  /** Put back a lease from the journal after a restart (no owner session yet). */
  restore(lease: Lease): void {
    for (const g of lease.groups) {
      const holder = this.#byGroup.get(g);
      if (holder) throw ownedError(g, holder);
    }
    this.insert(lease);
  }

  private insert(lease: Lease): void {
    this.#byId.set(lease.id, lease);
    for (const g of lease.groups) this.#byGroup.set(g, lease);
  }

  /** Remove a lease; returns it, or undefined if it was already gone (idempotent). */
  release(id: string): Lease | undefined {
    const lease = this.#byId.get(id);
    if (!lease) return undefined;
    this.#byId.delete(id);
    for (const g of lease.groups) if (this.#byGroup.get(g) === lease) this.#byGroup.delete(g);
    return lease;
  }

  /** Check that a lease is still the one the caller started working on (no release in between). */
  assertLive(lease: Lease): void {
    if (this.#byId.get(lease.id) !== lease) {
      throw new AbortedError(`lease ${lease.id} ended while the request was in progress`, { lease: lease.id });
    }
  }
}

export function ownedError(group: number, holder: Lease): GroupOwnedError {
  const o = holder.owner;
  return new GroupOwnedError(
    `group ${group} is owned by lease ${holder.id} (pid ${o.pid}, uid ${o.uid}${o.exe ? `, ${o.exe}` : ''}) since ${holder.since.toISOString()}`,
    {
      group,
      lease: holder.id,
      'owner-pid': o.pid,
      'owner-uid': o.uid,
      'owner-exe': o.exe,
      since: holder.since.toISOString(),
      state: holder.state,
    },
  );
}
