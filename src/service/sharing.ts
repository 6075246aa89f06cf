/**
 * Share grants: the owner of a legacy lease lets another process mint its own
 * device fds through the daemon's group fds, so raw fds never change hands
 * outside the broker and every one of them is audited. A grant names its
 * grantee (a uid, or a process pinned by its start time), expires, may be
 * single-use, and covers only the groups of the devices it grants.
 */
import type { Lease } from '../broker/lease-table.js';
import type { Caller } from '../broker/types.js';
import { InvalidArgumentError, PermissionDeniedError, PreconditionError } from '../broker/errors.js';
import { DEFAULT_GRANT_SECONDS, type Grant } from '../broker/grant-table.js';
import { isAdmin } from '../broker/policy.js';
import { who } from '../broker/audit.js';
import { isPid, isUid, requireDeviceName } from '../broker/input.js';
import type { ServiceContext } from './context.js';
import { groupsOf, leaseDevices } from './inventory-view.js';
import { newId } from './ids.js';

export interface ShareInput {
  leaseId: string;
  devices: unknown[];
  /** Unset means unset: never a default of root. */
  uid?: unknown;
  pid?: unknown;
  includeContainer: boolean;
  anyUid: boolean;
  ttlSeconds?: number;
  singleUse?: boolean;
}

export function createGrant(ctx: ServiceContext, caller: Caller, lease: Lease, o: ShareInput, maxPerLease: number): Grant {
  const policy = ctx.policy();
  // The rule that allowed the lease decides, as it was at acquire (older journals: looked up by name).
  const allowShare = lease.allowShare ?? policy.rules.find((r) => r.name === lease.rule)?.allowShare ?? true;
  if (!allowShare && !isAdmin(policy, caller)) {
    throw new PermissionDeniedError(`policy rule "${lease.rule}" that allowed lease ${lease.id} does not allow sharing (allowShare: false)`, { lease: lease.id, rule: lease.rule });
  }
  if (lease.mode !== 'legacy') throw new PreconditionError('sharing mints device fds through the group fd, which exists only in legacy mode');
  const { uid, pid } = grantee(o);
  const ttl = o.ttlSeconds || DEFAULT_GRANT_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > policy.maxGrantSeconds) {
    throw new InvalidArgumentError(`ttl_seconds must be 1..${policy.maxGrantSeconds} (the policy's maxGrantSeconds); got ${o.ttlSeconds}`, { limit: 'maxGrantSeconds' });
  }
  const devices = o.devices.map(requireDeviceName);
  const allowed = new Set(leaseDevices(ctx.host, lease));
  for (const d of devices) if (!allowed.has(d)) throw new InvalidArgumentError(`device ${d} is not a vfio-bound member of lease ${lease.id}`, { device: d });
  const granted = devices.length ? devices : [...allowed];
  const groups = groupsOf(ctx.host, lease).filter((g) => g.devices.some((d) => granted.includes(d.name))).map((g) => g.id);
  const now = ctx.now();
  const grant: Grant = {
    id: newId('g-', 4), token: newId('G-', 24), leaseId: lease.id, devices: granted, groups, uid, pid,
    pidStartTime: pid === null ? undefined : ctx.host.describe(pid).startTime,
    includeContainer: o.includeContainer, singleUse: !!o.singleUse, expires: new Date(now.getTime() + ttl * 1000), redeemed: 0,
    createdBy: caller, since: now,
  };
  if (pid !== null && grant.pidStartTime === undefined) throw new InvalidArgumentError(`no process ${pid} to restrict the grant to`, { pid });
  ctx.grants.add(grant, now, caller.uid === 0 ? Infinity : maxPerLease);
  ctx.audit({
    event: 'share', rpc: 'Share', who: who(caller), lease: lease.id, groups: lease.groups,
    reason: `grant ${grant.id} to uid=${uid ?? '*'} pid=${pid ?? '*'} devices=${granted.join(',')} ttl=${ttl}s${grant.singleUse ? ' single-use' : ''}`,
  });
  return grant;
}

/** Who may redeem: an explicit uid, or (with any_uid) one process. Absurd ids are refused, not wrapped. */
function grantee(o: ShareInput): { uid: number | null; pid: number | null } {
  if (o.uid !== undefined && !isUid(o.uid)) throw new InvalidArgumentError(`invalid grantee uid ${String(o.uid).slice(0, 20)}`);
  if (o.pid !== undefined && !isPid(o.pid)) throw new InvalidArgumentError(`invalid grantee pid ${String(o.pid).slice(0, 20)}`);
  const pid = o.pid === undefined ? null : o.pid;
  if (o.anyUid) {
    if (pid === null) throw new InvalidArgumentError('any_uid needs an explicit pid');
    if (o.uid !== undefined) throw new InvalidArgumentError('any_uid and uid exclude each other');
    return { uid: null, pid };
  }
  if (o.uid === undefined) throw new InvalidArgumentError('a grant needs a grantee uid (or an explicit pid with any_uid)');
  return { uid: o.uid, pid };
}

/** A lease's grants that have not expired. */
export function liveGrants(ctx: ServiceContext, lease: Lease): Grant[] {
  ctx.grants.sweep(ctx.now());
  return ctx.grants.ofLease(lease.id);
}

/** The owner takes a grant back, by its id. */
export function revokeGrant(ctx: ServiceContext, caller: Caller, lease: Lease, grantId: string): void {
  const g = ctx.grants.revoke(lease.id, String(grantId ?? ''));
  ctx.audit({ event: 'share', rpc: 'RevokeGrant', who: who(caller), lease: lease.id, groups: lease.groups, reason: `grant ${g.id} revoked by its owner` });
}
