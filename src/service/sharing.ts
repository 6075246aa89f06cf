/**
 * Share grants: the owner of a legacy lease lets another process mint its own
 * device fds through the daemon's group fds, so raw fds never change hands
 * outside the broker and every one of them is audited.
 */
import type { Lease } from '../broker/lease-table.js';
import type { Caller } from '../broker/types.js';
import { InvalidArgumentError, PermissionDeniedError, PreconditionError } from '../broker/errors.js';
import { isAdmin } from '../broker/policy.js';
import { who } from '../broker/audit.js';
import { requireDeviceName } from '../broker/input.js';
import type { ServiceContext } from './context.js';
import { leaseDevices } from './inventory-view.js';
import { newId } from './ids.js';

export interface ShareInput {
  leaseId: string;
  devices: unknown[];
  uid?: number;
  pid?: number;
  includeContainer: boolean;
  anyUid: boolean;
}

export function createGrant(ctx: ServiceContext, caller: Caller, lease: Lease, o: ShareInput): string {
  const policy = ctx.policy();
  const rule = policy.rules.find((r) => r.name === lease.rule);
  if (rule && !rule.allowShare && !isAdmin(policy, caller)) {
    throw new PermissionDeniedError(`policy rule "${rule.name}" that allowed lease ${lease.id} does not allow sharing (allowShare: false)`, { lease: lease.id, rule: rule.name });
  }
  if (lease.mode !== 'legacy') throw new PreconditionError('sharing mints device fds through the group fd, which exists only in legacy mode');
  const devices = o.devices.map(requireDeviceName);
  const allowed = new Set(leaseDevices(ctx.host, lease));
  for (const d of devices) if (!allowed.has(d)) throw new InvalidArgumentError(`device ${d} is not a vfio-bound member of lease ${lease.id}`, { device: d });
  if (o.uid === undefined && !(o.anyUid && o.pid)) throw new InvalidArgumentError('a grant needs a grantee uid (or an explicit pid with any_uid)');
  const token = newId('G-', 24);
  ctx.grants.add({
    token, leaseId: lease.id, devices: devices.length ? devices : [...allowed], uid: o.uid ?? null, pid: o.pid || null,
    includeContainer: o.includeContainer, createdBy: caller, since: ctx.now(),
  });
  ctx.audit({ event: 'share', rpc: 'Share', who: who(caller), lease: lease.id, groups: lease.groups, reason: `grantee uid=${o.uid ?? '*'} pid=${o.pid || '*'} devices=${devices.join(',') || 'all'}` });
  return token;
}
