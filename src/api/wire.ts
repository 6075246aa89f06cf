/** Conversions between the service's objects and the v1 protobuf messages. */
import type { Lease } from '../broker/lease-table.js';
import type { Grant } from '../broker/grant-table.js';
import type { Mode } from '../broker/types.js';
import { InvalidArgumentError } from '../broker/errors.js';
import { MODE_WIRE, modeFromWire } from '../protocol/mode.js';
import type { Holder, HostGroup } from '../kernel/host.js';
import type { BindOutcome, BrokerEvent, Delivered } from '../service/broker-service.js';
// The messages as the server sends them (the generated "permissive" types).
import type { Owner } from '../protocol/gen/vfiobroker/v1/Owner.js';
import type { Group } from '../protocol/gen/vfiobroker/v1/Group.js';
import type { Lease as WireLease } from '../protocol/gen/vfiobroker/v1/Lease.js';
import type { Delivery } from '../protocol/gen/vfiobroker/v1/Delivery.js';
import type { Holder as WireHolder } from '../protocol/gen/vfiobroker/v1/Holder.js';
import type { Event } from '../protocol/gen/vfiobroker/v1/Event.js';
import type { StatusResponse } from '../protocol/gen/vfiobroker/v1/StatusResponse.js';
import type { DeviceBinding } from '../protocol/gen/vfiobroker/v1/DeviceBinding.js';
import type { Grant as WireGrant } from '../protocol/gen/vfiobroker/v1/Grant.js';

export function mode(v: unknown): Mode {
  const m = modeFromWire(v);
  if (m === null) throw new InvalidArgumentError(`unknown mode ${JSON.stringify(v)}`);
  return m;
}

/**
 * A lease's owner. Callers who are not admins see other users' leases only as
 * owned (the lease, its uid and since when): no pid, exe or session.
 */
export function owner(l: Lease, full = true): Owner {
  if (!full) return { lease_id: l.id, cred: { pid: 0, uid: l.owner.uid, gid: 0, exe: '' }, since: l.since.toISOString(), session_id: '', mode: MODE_WIRE[l.mode] };
  return {
    lease_id: l.id,
    cred: { pid: l.owner.pid, uid: l.owner.uid, gid: l.owner.gid, exe: l.owner.exe ?? '' },
    since: l.since.toISOString(),
    session_id: l.sessionId ?? '',
    mode: MODE_WIRE[l.mode],
  };
}

export function group(x: { group: HostGroup; owner?: Lease; modes: Mode[] }, sees: (l: Lease) => boolean = () => true): Group {
  const g = x.group;
  return {
    id: g.id,
    devices: g.devices.map((d) => ({
      name: d.name, bus: d.bus ?? '', driver: d.driver ?? '', vendor: d.vendor ?? '', device: d.device ?? '',
      class: d.class ?? '', bridge: d.bridge, cdev: d.cdev ?? '', driver_override: d.driverOverride ?? '',
      mdev_type: d.mdevType ?? '', mdev_parent: d.mdevParent ?? '',
      numa_node: d.numaNode ?? -1,
    })),
    viable: g.viable,
    viability_reason: g.viabilityReason,
    type: g.type ?? '',
    reserved_regions: g.reservedRegions,
    noiommu: g.noiommu,
    emulated_iommu: g.emulatedIommu,
    dev_node: g.devNode,
    modes: x.modes.map((m) => MODE_WIRE[m]),
    owner: x.owner ? owner(x.owner, sees(x.owner)) : undefined,
  };
}

export function lease(l: Lease, shares: number, full = true): WireLease {
  return { id: l.id, groups: l.groups, owner: owner(l, full), devices: l.devices, mode: MODE_WIRE[l.mode], state: l.state, shares, mdev_uuid: l.mdev ?? '' };
}

export function grant(g: Grant): WireGrant {
  return {
    id: g.id, lease_id: g.leaseId, devices: g.devices, ...(g.uid !== null ? { uid: g.uid } : {}), ...(g.pid !== null ? { pid: g.pid } : {}),
    include_container: g.includeContainer, single_use: g.singleUse, expires: g.expires.toISOString(), redeemed: g.redeemed,
  };
}

export function delivery(d: Delivered): Delivery {
  return { index: d.index, role: d.role, group: d.group ?? 0, device: d.device ?? '' };
}

export function holder(h: Holder): WireHolder {
  return { pid: h.pid, uid: h.uid, comm: h.comm, path: h.path };
}

export function event(e: BrokerEvent, full = true): Event {
  return {
    time: e.time, kind: e.kind, group: e.group ?? 0, device: e.device ?? '', lease_id: e.leaseId ?? '',
    owner: e.owner ? owner(e.owner, full) : undefined, reason: e.reason ?? '', claim_id: e.claimId ?? '',
  };
}

export function status(s: { groups: number; leases: number; sessions: number; started: Date }): StatusResponse {
  return { groups: s.groups, leases: s.leases, sessions: s.sessions, started: s.started.toISOString() };
}

export function binding(b: BindOutcome): DeviceBinding {
  return { device: b.device, from_driver: b.fromDriver ?? '', to_driver: b.toDriver ?? '', changed: b.changed, note: b.note };
}
