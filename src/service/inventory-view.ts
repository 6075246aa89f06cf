/**
 * The inventory as the service answers with it: groups with their owners and the
 * modes they allow, and the groups a request names (by number or by device).
 */
import type { Host, HostGroup } from '../kernel/host.js';
import type { Lease, LeaseTable } from '../broker/lease-table.js';
import type { Mode } from '../broker/types.js';
import { InvalidArgumentError, NotFoundError, PreconditionError } from '../broker/errors.js';
import { MAX_GROUPS_PER_LEASE, isVfioBound, requireDeviceName, requireGroupId } from '../broker/input.js';
import { deliverableDevices } from '../broker/policy.js';
import { sysfsStep } from './refusals.js';

export interface GroupView { group: HostGroup; owner?: Lease; modes: Mode[] }

export function modesOf(g: HostGroup): Mode[] {
  if (g.noiommu) return ['legacy'];
  const members = g.devices.filter((d) => !d.bridge && isVfioBound(d));
  return members.length > 0 && members.every((d) => d.cdev) ? ['legacy', 'iommufd'] : ['legacy'];
}

export function listGroups(host: Host, leases: LeaseTable): GroupView[] {
  return host.scan().map((g) => ({ group: g, owner: leases.ownerOf(g.id), modes: modesOf(g) }));
}

export function findGroup(host: Host, leases: LeaseTable, raw: unknown): GroupView {
  const gid = requireGroupId(raw);
  const g = host.group(gid);
  if (!g) throw new NotFoundError(`no IOMMU group ${gid}`, { group: gid });
  return { group: g, owner: leases.ownerOf(g.id), modes: modesOf(g) };
}

/** The host's current view of a lease's groups (from the inventory's index: no walk of every group). */
export function groupsOf(host: Host, lease: Lease): HostGroup[] {
  const out: HostGroup[] = [];
  for (const id of lease.groups) {
    const g = host.group(id);
    if (g) out.push(g);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The devices whose fds a lease hands out: vfio-bound members, or only those it asked for. */
export function leaseDevices(host: Host, lease: Lease): string[] {
  const only = lease.devices.length ? new Set(lease.devices) : undefined;
  return groupsOf(host, lease).flatMap((g) => deliverableDevices(g, only));
}

export interface Resolved { groups: HostGroup[]; requested?: Set<string> }

/** Groups named by number or by device; each device resolves to its whole group. */
export function resolveGroups(host: Host, rawGroups: unknown[], rawDevices: unknown[]): Resolved {
  if (!Array.isArray(rawGroups) || !Array.isArray(rawDevices)) throw new InvalidArgumentError('groups and devices must be lists');
  if (rawGroups.length + rawDevices.length === 0) throw new InvalidArgumentError('name at least one group or device');
  if (rawGroups.length + rawDevices.length > MAX_GROUPS_PER_LEASE) throw new InvalidArgumentError(`at most ${MAX_GROUPS_PER_LEASE} groups and devices per lease`);
  const ids = new Set(rawGroups.map(requireGroupId));
  const devices = rawDevices.map(requireDeviceName);
  for (const d of devices) {
    const g = sysfsStep(() => host.groupOfDevice(d));
    if (g === undefined) throw new NotFoundError(`no device ${d} in any IOMMU group`, { device: d });
    ids.add(g);
  }
  const groups = [...ids].sort((a, b) => a - b).map((gid) => {
    const g = host.group(gid);
    if (!g) throw new NotFoundError(`no IOMMU group ${gid}`, { group: gid });
    return g;
  });
  return { groups, requested: devices.length ? new Set(devices) : undefined };
}

/** Every group must be usable in the requested mode (a managed lease binds first, so viability waits). */
export function checkUsable(groups: HostGroup[], mode: Mode, managed: boolean): void {
  for (const g of groups) {
    if (!g.viable && !managed) throw new PreconditionError(`group ${g.id} is not viable: ${g.viabilityReason}`, { group: g.id, reason: g.viabilityReason });
    if (!modesOf(g).includes(mode)) {
      throw new PreconditionError(
        g.noiommu ? `group ${g.id} is a noiommu group: only legacy mode is possible` : `group ${g.id} has no vfio cdev for every device: iommufd mode is not possible`,
        { group: g.id, mode },
      );
    }
  }
}
