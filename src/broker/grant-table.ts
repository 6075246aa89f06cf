import { NotFoundError, PermissionDeniedError } from './errors.js';
import { constantTimeEqual } from './session-table.js';
import type { Caller } from './types.js';

export interface Grant {
  token: string;
  leaseId: string;
  devices: string[];
  /** Grantee uid; null only with an explicit pid restriction. */
  uid: number | null;
  pid: number | null;
  includeContainer: boolean;
  createdBy: Caller;
  since: Date;
}

/**
 * Share grants. A grant lets another process mint its *own* device fds through the
 * group fd the daemon holds, so the owner never has to pass raw fds around and the
 * broker still sees (and audits) every fd that leaves it. Grants die with their lease.
 */
export class GrantTable {
  #byToken = new Map<string, Grant>();

  add(g: Grant): void {
    this.#byToken.set(g.token, g);
  }

  /** Every grant of a lease, e.g. to drop them when it ends. */
  ofLease(leaseId: string): Grant[] {
    return [...this.#byToken.values()].filter((g) => g.leaseId === leaseId);
  }

  dropLease(leaseId: string): number {
    let n = 0;
    for (const [t, g] of this.#byToken) if (g.leaseId === leaseId) { this.#byToken.delete(t); n++; }
    return n;
  }

  /** The grant, if this caller is its grantee. A stolen token is useless to anyone else. */
  redeem(token: string, caller: Caller): Grant {
    let found: Grant | undefined;
    for (const [t, g] of this.#byToken) if (constantTimeEqual(t, token)) found = g;
    if (!found) throw new NotFoundError('no such grant (it may have ended with its lease)');
    if (found.uid !== null && found.uid !== caller.uid) {
      throw new PermissionDeniedError(`grant for lease ${found.leaseId} is for uid ${found.uid}, not uid ${caller.uid}`, { lease: found.leaseId, 'grantee-uid': found.uid, 'caller-uid': caller.uid });
    }
    if (found.pid !== null && found.pid !== caller.pid) {
      throw new PermissionDeniedError(`grant for lease ${found.leaseId} is for pid ${found.pid}, not pid ${caller.pid}`, { lease: found.leaseId, 'grantee-pid': found.pid, 'caller-pid': caller.pid });
    }
    return found;
  }

  get size(): number {
    return this.#byToken.size;
  }
}
