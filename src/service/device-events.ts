/**
 * Kernel uevents as broker events: a device added, removed, bound or unbound
 * becomes a Watch event, and the owner of a lease it belongs to hears of it on
 * its session.
 */
import type { Lease } from '../broker/lease-table.js';
import type { ServiceContext } from './context.js';

const KINDS: Record<string, string> = { add: 'device-added', remove: 'device-removed', bind: 'device-bound', unbind: 'device-unbound' };
const BUSES = new Set(['pci', 'platform']);

export interface DeviceChange { action: string; subsystem?: string; name: string }

/** Returns the event kind and lease it concerned, or null for changes the broker does not announce. */
export function announceDeviceChange(ctx: ServiceContext, ev: DeviceChange, leaseOf: (device: string) => Lease | undefined): { kind: string; lease?: Lease } | null {
  const kind = KINDS[ev.action];
  if (!kind || !ev.subsystem || !BUSES.has(ev.subsystem)) return null;
  const lease = leaseOf(ev.name);
  ctx.event({ kind, device: ev.name, leaseId: lease?.id, owner: lease, group: lease?.groups[0] });
  if (lease?.sessionId) ctx.notify(lease.sessionId, { type: 'device-event', lease: lease.id, kind, device: ev.name });
  return { kind, lease };
}
