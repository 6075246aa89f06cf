/**
 * Claims, the broker's side of Kubernetes: an admin (the device plugin) reserves
 * groups for a pod that comes later; the pod's workload redeems the claim with
 * its token and gets a lease through the same open-and-deliver steps as Acquire.
 *
 * Authorization: the admin's claim is the authorization. A redeemer needs no
 * policy rule; it needs the token, and after the first redemption it must run in
 * the pod the claim is bound to (read from /proc/<pid>/cgroup while the pid is
 * still the process that connected). A matching rule only lends its memlock
 * allowance. Claims end by EndClaim, by their TTL (unredeemed), and when the
 * bound pod's cgroup disappears (polled here, so claims end without the plugin).
 */
import type { HostGroup } from '../kernel/host.js';
import type { CgroupPort } from '../kernel/cgroup.js';
import { ownedError, type Lease } from '../broker/lease-table.js';
import { hashToken, type Claim } from '../broker/claim-table.js';
import { podOfCgroupFile, type PodCgroup } from '../broker/pod-cgroup.js';
import { InvalidArgumentError, PermissionDeniedError, PreconditionError } from '../broker/errors.js';
import { decideAcquire } from '../broker/policy.js';
import { optionalRequestTag } from '../broker/input.js';
import { who } from '../broker/audit.js';
import type { Caller, Mode } from '../broker/types.js';
import type { ServiceContext } from './context.js';
import type { Acquisition, Acquired } from './acquisition.js';
import { checkUsable, resolveGroups } from './inventory-view.js';
import { RpcGuard } from './guard.js';
import { newSecret } from './ids.js';

/** Durable record of the claims (src/daemon/claim-journal.ts); written synchronously at every change. */
export interface ClaimJournalPort {
  write(claims: Claim[]): void;
}

export interface CreateClaimInput {
  groups: unknown[];
  devices: unknown[];
  mode: Mode;
  ownerRef: unknown;
  ttlSeconds: number;
}

const MAX_OWNER_REF = 256;

export class Claims {
  #guard: RpcGuard;
  #timer: NodeJS.Timeout | undefined;
  /** Claims whose pod cgroup was seen since this daemon started: only those can be seen to go. */
  #seen = new Set<string>();

  constructor(
    private ctx: ServiceContext,
    private acquisition: Acquisition,
    private requireAdmin: (c: Caller) => void,
    private cgroups: CgroupPort,
    private journal?: ClaimJournalPort,
  ) {
    this.#guard = new RpcGuard(ctx.audit);
  }

  get table() {
    return this.ctx.claims;
  }

  create(caller: Caller, req: CreateClaimInput): { claim: Claim; token: string } {
    return this.#guard.runSync('CreateClaim', caller, () => {
      this.requireAdmin(caller);
      const ownerRef = typeof req.ownerRef === 'string' ? req.ownerRef : '';
      if (ownerRef.length > MAX_OWNER_REF || /[\x00-\x1f\x7f]/.test(ownerRef)) throw new InvalidArgumentError(`owner_ref must be at most ${MAX_OWNER_REF} printable characters`);
      const ttl = Number(req.ttlSeconds ?? 0);
      if (!Number.isInteger(ttl) || ttl < 0) throw new InvalidArgumentError('ttl_seconds must be a whole number of seconds');
      const { groups } = resolveGroups(this.ctx.host, req.groups, req.devices);
      checkUsable(groups, req.mode, false);
      const noiommu = groups.filter((g) => g.noiommu).map((g) => g.id);
      if (noiommu.length && !this.ctx.policy().adminNoiommu) throw new PermissionDeniedError(`group ${noiommu.join(', ')} is noiommu (no DMA isolation); set "adminNoiommu": true in the policy to claim it`);
      for (const g of groups) {
        const holder = this.ctx.leases.ownerOf(g.id);
        if (holder) throw ownedError(g.id, holder);
      }
      const token = newSecret();
      const now = this.ctx.now();
      const claim = this.table.create({
        groups: groups.map((g) => g.id), mode: req.mode, ownerRef, createdBy: { uid: caller.uid, pid: caller.pid }, now,
        expires: ttl > 0 ? new Date(now.getTime() + ttl * 1000) : undefined,
      }, hashToken(token));
      try {
        this.persist();
      } catch (e) {
        this.table.end(claim.id, 'journal write failed', now);
        throw e;
      }
      this.ctx.audit({ event: 'claim', rpc: 'CreateClaim', who: who(caller), claim: claim.id, groups: claim.groups, reason: ownerRef || undefined });
      this.announce('claim-created', claim);
      return { claim, token };
    });
  }

  list(caller: Caller): Claim[] {
    return this.#guard.runSync('ListClaims', caller, () => {
      this.requireAdmin(caller);
      return this.table.all();
    });
  }

  /** Admin: the claim ends, and its lease with it (the holder's fds are its own; the group is free for the next). */
  end(caller: Caller, id: string, reason: string): Claim {
    return this.#guard.runSync('EndClaim', caller, () => {
      this.requireAdmin(caller);
      const claim = this.table.mustGet(String(id ?? ''));
      this.endClaim(claim, `ended by uid ${caller.uid}${reason ? `: ${reason}` : ''}`, caller);
      return claim;
    });
  }

  /** The workload, on its own session, with the token: the claim becomes its lease. */
  redeem(caller: Caller, sessionId: string | undefined, secret: string | undefined, id: string, token: string, rawTag?: unknown): Promise<Acquired & { claim: Claim }> {
    return this.#guard.run('RedeemClaim', caller, async () => {
      const tag = optionalRequestTag(rawTag);
      const session = this.ctx.sessions.authorize(sessionId, secret, caller);
      const pod = this.podOf(caller);
      // Everything from the token check to the lease reservation is synchronous: two redeemers cannot both pass.
      const claim = this.table.admit(String(id ?? ''), String(token ?? ''), pod);
      if (pod?.unified) this.#seen.add(claim.id);
      const groups = this.groupsOf(claim);
      checkUsable(groups, claim.mode, false);
      const decision = decideAcquire(this.ctx.policy(), caller, groups, claim.mode, 0);
      const lease = this.ctx.leases.reserve({
        groups: claim.groups, sessionId: session.id, owner: caller, mode: claim.mode, devices: [], rule: `claim:${claim.id}`,
        memlockBytes: decision.allowed ? decision.memlockBytes : 0, managed: false, allowShare: false, now: this.ctx.now(),
      }, newSecret());
      this.table.leased(claim, lease.id);
      this.persist();
      // On failure the lease ends through ctx.end, which puts the claim back to reserved (leaseEnded).
      const acquired = await this.acquisition.complete('RedeemClaim', caller, lease, groups, undefined, { tag });
      this.ctx.audit({ event: 'claim', rpc: 'RedeemClaim', who: who(caller), claim: claim.id, lease: lease.id, groups: claim.groups, reason: `pod ${claim.podUid || '(none)'}` });
      this.announce('claim-redeemed', claim, lease.id);
      return { ...acquired, claim };
    });
  }

  /** A lease ended (any way): its claim, if any, is reserved again for the same pod. */
  leaseEnded(lease: Lease): void {
    if (this.table.leaseEnded(lease.id)) this.persist();
  }

  /** Claims from the journal; those whose lease did not come back are reserved again. */
  restore(claims: Claim[]): { restored: Claim[]; dropped: { claim: Claim; reason: string }[] } {
    const restored: Claim[] = [];
    const dropped: { claim: Claim; reason: string }[] = [];
    for (const c of claims) {
      try {
        if (c.leaseId && !this.ctx.leases.get(c.leaseId)) {
          c.state = 'reserved';
          c.leaseId = undefined;
        }
        this.table.restore(c);
        restored.push(c);
      } catch (e) {
        dropped.push({ claim: c, reason: (e as Error).message });
      }
    }
    this.persist();
    return { restored, dropped };
  }

  /** End claims past their TTL, and claims whose pod's cgroup was seen and is now gone. */
  sweep(): Claim[] {
    const ended: Claim[] = [];
    const now = this.ctx.now();
    for (const c of this.table.expired(now)) {
      this.endClaim(c, `not redeemed within its TTL (expired ${c.expires!.toISOString()})`);
      ended.push(c);
    }
    for (const c of this.table.all()) {
      if (!c.podPath) continue;
      const exists = this.cgroups.exists(c.podPath);
      if (exists === true) this.#seen.add(c.id);
      else if (exists === false && this.#seen.has(c.id)) {
        this.endClaim(c, `pod ${c.podUid} is gone (its cgroup ${c.podPath} was removed)`);
        ended.push(c);
      }
    }
    return ended;
  }

  startWatch(intervalMs: number, onEnded?: (c: Claim) => void): void {
    this.stopWatch();
    this.#timer = setInterval(() => {
      for (const c of this.sweep()) onEnded?.(c);
    }, intervalMs);
    this.#timer.unref();
  }

  stopWatch(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private endClaim(claim: Claim, reason: string, by?: Caller): void {
    const leaseId = claim.leaseId;
    if (!this.table.end(claim.id, reason, this.ctx.now())) return;
    this.#seen.delete(claim.id);
    const lease = leaseId ? this.ctx.leases.get(leaseId) : undefined;
    if (lease) this.ctx.end(lease, `claim ${claim.id} ended: ${reason}`);
    this.persist();
    const actor = by ?? { pid: process.pid, uid: 0, gid: 0, groups: [] };
    this.ctx.audit({ event: 'claim', rpc: 'EndClaim', who: who(actor), claim: claim.id, lease: leaseId, groups: claim.groups, reason });
    this.announce('claim-ended', claim, leaseId, reason);
  }

  /**
   * The caller's pod: its /proc/<pid>/cgroup, read while the pid is still the
   * process that connected (same start time before and after), or refused.
   */
  private podOf(caller: Caller): PodCgroup | null {
    const alive = () => caller.startTime !== 'gone' && this.ctx.host.alive(caller.pid, caller.startTime);
    const text = alive() ? this.cgroups.cgroupOf(caller.pid) : null;
    if (text === null || !alive()) {
      throw new PreconditionError(`cannot tell which pod pid ${caller.pid} runs in: the process that opened this connection is gone or its cgroup is unreadable`, { pid: caller.pid });
    }
    return podOfCgroupFile(text);
  }

  private groupsOf(claim: Claim): HostGroup[] {
    return claim.groups.map((id) => {
      const g = this.ctx.host.group(id);
      if (!g) throw new PreconditionError(`group ${id} of claim ${claim.id} is gone from the host`, { claim: claim.id, group: id });
      return g;
    });
  }

  private announce(kind: string, c: Claim, leaseId?: string, reason?: string): void {
    for (const g of c.groups) this.ctx.event({ kind, group: g, claimId: c.id, leaseId, reason });
  }

  private persist(): void {
    this.journal?.write(this.table.all());
  }
}
