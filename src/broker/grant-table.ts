import { NotFoundError, PermissionDeniedError, QuotaError } from './errors.js';
import { constantTimeEqual } from './session-table.js';
import type { Caller } from './types.js';

export interface Grant {
  /** Names the grant to its owner (list, revoke) without revealing the token. */
  id: string;
  token: string;
  leaseId: string;
  devices: string[];
  /** Groups of the granted devices: the only group fds include_container hands over. */
  groups: number[];
  /** Grantee uid; null only with an explicit pid restriction. */
  uid: number | null;
  pid: number | null;
  /** Start time of `pid` when the grant was made: the process, not the number. */
  pidStartTime?: string;
  includeContainer: boolean;
  singleUse: boolean;
  expires: Date;
  redeemed: number;
  createdBy: Caller;
  since: Date;
}

export const DEFAULT_GRANT_SECONDS = 60;

/**
 * Share grants. A grant lets another process mint its *own* device fds through the
 * group fd the daemon holds, so the owner never has to pass raw fds around and the
 * broker still sees (and audits) every fd that leaves it. Grants expire, may be
 * single-use, and die with their lease.
 */
export class GrantTable {
  #byToken = new Map<string, Grant>();

  /** Add a grant, unless its lease already has `maxPerLease` live ones. */
  add(g: Grant, now: Date, maxPerLease = Infinity): void {
    this.sweep(now);
    if (this.ofLease(g.leaseId).length >= maxPerLease) {
      throw new QuotaError(`lease ${g.leaseId} already has ${maxPerLease} live grants (limit grantsPerLease); revoke one or let them expire`, { lease: g.leaseId, limit: 'grantsPerLease' });
    }
    this.#byToken.set(g.token, g);
  }

  /** Every live grant of a lease. */
  ofLease(leaseId: string): Grant[] {
    return [...this.#byToken.values()].filter((g) => g.leaseId === leaseId);
  }

  dropLease(leaseId: string): number {
    let n = 0;
    for (const [t, g] of this.#byToken) if (g.leaseId === leaseId) { this.#byToken.delete(t); n++; }
    return n;
  }

  /** The owner takes a grant back by its id. */
  revoke(leaseId: string, id: string): Grant {
    for (const [t, g] of this.#byToken) {
      if (g.leaseId === leaseId && g.id === id) {
        this.#byToken.delete(t);
        return g;
      }
    }
    throw new NotFoundError(`lease ${leaseId} has no grant ${id}`, { lease: leaseId, grant: id });
  }

  /** The grant, if this caller is its grantee and it is still live. A stolen token is useless to anyone else. */
  redeem(token: string, caller: Caller, now: Date): Grant {
    this.sweep(now);
    let found: Grant | undefined;
    for (const [t, g] of this.#byToken) if (constantTimeEqual(t, token)) found = g;
    if (!found) throw new NotFoundError('no such grant (it may have expired, been used, been revoked, or ended with its lease)');
    if (found.uid !== null && found.uid !== caller.uid) {
      throw new PermissionDeniedError(`grant for lease ${found.leaseId} is for uid ${found.uid}, not uid ${caller.uid}`, { lease: found.leaseId, 'grantee-uid': found.uid, 'caller-uid': caller.uid });
    }
    if (found.pid !== null && (found.pid !== caller.pid || found.pidStartTime !== caller.startTime)) {
      throw new PermissionDeniedError(`grant for lease ${found.leaseId} is for pid ${found.pid} as it was when the grant was made, not pid ${caller.pid}`, { lease: found.leaseId, 'grantee-pid': found.pid, 'caller-pid': caller.pid });
    }
    found.redeemed++;
    if (found.singleUse) this.#byToken.delete(found.token);
    return found;
  }

  /** Forget expired grants. */
  sweep(now: Date): void {
    for (const [t, g] of this.#byToken) if (g.expires <= now) this.#byToken.delete(t);
  }

  get size(): number {
    return this.#byToken.size;
  }
}
