/**
 * Claims: groups an admin reserves for a workload that comes later (a
 * Kubernetes pod), redeemed into a lease with the claim's token. The table keeps
 * who reserves which group, checks tokens (stored hashed, compared in constant
 * time) and the pod a claim is bound to. Pure: the service reads cgroups and
 * journals.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GroupOwnedError, NotFoundError, PermissionDeniedError, PreconditionError } from './errors.js';
import type { Mode } from './types.js';

export type ClaimState = 'reserved' | 'leased' | 'ended';

export interface Claim {
  id: string;
  groups: number[];
  mode: Mode;
  state: ClaimState;
  /** The creator's label (the device plugin's resource and device ids). */
  ownerRef: string;
  /** sha256 of the token, hex: the token itself is shown once and never kept. */
  tokenHash: string;
  created: Date;
  /** Unredeemed past this, the claim ends; undefined: never. */
  expires?: Date;
  createdBy: { uid: number; pid: number };
  /**
   * The pod the claim is bound to since its first redemption: undefined before,
   * '' when the first redeemer ran in no pod (then only no-pod callers redeem).
   */
  podUid?: string;
  /** The pod's cgroup in the unified hierarchy (watched: its removal ends the claim). */
  podPath?: string;
  /** The lease while leased. */
  leaseId?: string;
}

export interface CreateClaim {
  groups: number[];
  mode: Mode;
  ownerRef: string;
  expires?: Date;
  createdBy: { uid: number; pid: number };
  now: Date;
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Whether `token` is the one whose hash is `hash`, in time independent of where they differ. */
export function tokenMatches(hash: string, token: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const describePod = (uid: string | undefined) => (uid ? `pod ${uid}` : 'no pod');

/** How many ended claims are remembered, so a late redeemer hears why rather than "no such claim". */
const REMEMBER_ENDED = 256;

export class ClaimTable {
  #byId = new Map<string, Claim>();
  #byGroup = new Map<number, Claim>();
  #ended = new Map<string, { at: Date; reason: string }>();

  constructor(private newId: () => string) {}

  get size(): number {
    return this.#byId.size;
  }

  all(): Claim[] {
    return [...this.#byId.values()];
  }

  get(id: string): Claim | undefined {
    return this.#byId.get(id);
  }

  /** The live claim, or NOT_FOUND saying when and why it ended if it did. */
  mustGet(id: string): Claim {
    const c = this.#byId.get(id);
    if (c) return c;
    const e = this.#ended.get(id);
    if (e) throw new NotFoundError(`claim ${id} ended at ${e.at.toISOString()} (${e.reason})`, { claim: id, ended: e.at.toISOString() });
    throw new NotFoundError(`no claim ${id}`, { claim: id });
  }

  claimOf(group: number): Claim | undefined {
    return this.#byGroup.get(group);
  }

  /** Reserve every group or none; a group another claim reserves is refused naming it. */
  create(req: CreateClaim, tokenHash: string): Claim {
    const groups = [...new Set(req.groups)].sort((a, b) => a - b);
    this.assertUnclaimed(groups);
    const claim: Claim = {
      id: this.newId(), groups, mode: req.mode, state: 'reserved', ownerRef: req.ownerRef, tokenHash,
      created: req.now, expires: req.expires, createdBy: req.createdBy,
    };
    this.insert(claim);
    return claim;
  }

  /** Put back a claim from the journal. */
  restore(c: Claim): void {
    this.assertUnclaimed(c.groups);
    this.insert(c);
  }

  /** Refuse, naming the claim, when any of `groups` is reserved by a claim other than `except`. */
  assertUnclaimed(groups: number[], except?: Claim): void {
    for (const g of groups) {
      const c = this.#byGroup.get(g);
      if (c && c !== except) throw claimedError(g, c);
    }
  }

  /**
   * The checks of a redemption, in order: the token, then the pod. Binds an
   * unbound claim to the redeemer's pod. Throws PERMISSION_DENIED for a wrong
   * token or another pod, FAILED_PRECONDITION while the claim is leased.
   */
  admit(id: string, token: string, pod: { podUid: string; podPath?: string } | null): Claim {
    const c = this.mustGet(id);
    if (!tokenMatches(c.tokenHash, token)) throw new PermissionDeniedError(`wrong token for claim ${c.id}`, { claim: c.id });
    const uid = pod?.podUid ?? '';
    if (c.podUid !== undefined && c.podUid !== uid) {
      throw new PermissionDeniedError(`claim ${c.id} is bound to ${describePod(c.podUid)}; the caller runs in ${describePod(uid)}`, { claim: c.id, 'bound-pod': c.podUid, 'caller-pod': uid });
    }
    if (c.state === 'leased') throw new PreconditionError(`claim ${c.id} is already redeemed (lease ${c.leaseId}); release that lease first`, { claim: c.id, lease: c.leaseId });
    if (c.podUid === undefined) {
      c.podUid = uid;
      c.podPath = pod?.podPath;
    }
    return c;
  }

  leased(c: Claim, leaseId: string): void {
    c.state = 'leased';
    c.leaseId = leaseId;
  }

  /** Its lease ended: the claim is reserved again, still bound to its pod, so a restarted container can redeem it. */
  leaseEnded(leaseId: string): Claim | undefined {
    for (const c of this.#byId.values()) {
      if (c.leaseId !== leaseId) continue;
      c.state = 'reserved';
      c.leaseId = undefined;
      return c;
    }
    return undefined;
  }

  /** Remove a claim (idempotent); returns it, marked ended. */
  end(id: string, reason: string, now: Date): Claim | undefined {
    const c = this.#byId.get(id);
    if (!c) return undefined;
    this.#byId.delete(id);
    for (const g of c.groups) if (this.#byGroup.get(g) === c) this.#byGroup.delete(g);
    c.state = 'ended';
    this.#ended.set(id, { at: now, reason });
    if (this.#ended.size > REMEMBER_ENDED) this.#ended.delete(this.#ended.keys().next().value as string);
    return c;
  }

  /** Claims never redeemed whose TTL has passed. */
  expired(now: Date): Claim[] {
    return this.all().filter((c) => c.podUid === undefined && c.state === 'reserved' && c.expires !== undefined && c.expires <= now);
  }

  private insert(c: Claim): void {
    this.#byId.set(c.id, c);
    for (const g of c.groups) this.#byGroup.set(g, c);
  }
}

export function claimedError(group: number, c: Claim): GroupOwnedError {
  return new GroupOwnedError(
    `group ${group} is reserved by claim ${c.id}${c.ownerRef ? ` (${c.ownerRef})` : ''}, ${c.state}${c.podUid ? ` for pod ${c.podUid}` : ''}, since ${c.created.toISOString()}`,
    { group, claim: c.id, 'owner-ref': c.ownerRef, state: c.state, pod: c.podUid, since: c.created.toISOString() },
  );
}
