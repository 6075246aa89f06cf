/**
 * Admin revoke: ask the owner to let go, and after the deadline end the lease
 * anyway. The kernel cannot take back an fd already handed out, so a process
 * that ignores the request keeps its device access until it exits: the answer
 * names those processes.
 */
import type { EventEmitter } from 'node:events';
import type { Holder } from '../kernel/host.js';
import type { Caller } from '../broker/types.js';
import { who } from '../broker/audit.js';
import type { ServiceContext } from './context.js';
import { groupsOf } from './inventory-view.js';
import type { BrokerEvent } from './types.js';

/** Longest an admin may let an owner take to let go. */
const MAX_DEADLINE_MS = 600_000;

export interface Revoked { ended: boolean; stillHeldBy: Holder[]; note: string }

export async function revokeLease(ctx: ServiceContext, events: EventEmitter, caller: Caller, leaseId: string, deadlineMs: number): Promise<Revoked> {
  const lease = ctx.leases.mustGet(leaseId);
  lease.state = 'revoking';
  ctx.event({ kind: 'lease-revoking', leaseId, owner: lease, group: lease.groups[0] });
  if (lease.sessionId) ctx.notify(lease.sessionId, { type: 'revoke', lease: leaseId, deadline_ms: deadlineMs });
  const released = await waitForEnd(ctx, events, leaseId, Math.max(0, Math.min(deadlineMs, MAX_DEADLINE_MS)));
  if (!released) ctx.end(lease, `revoked by uid ${caller.uid}`);
  const still = groupsOf(ctx.host, lease).flatMap((g) => ctx.host.holders(g));
  ctx.audit({ event: 'revoke', rpc: 'Revoke', who: who(caller), lease: leaseId, groups: lease.groups, reason: released ? 'owner released' : 'deadline passed' });
  return {
    ended: true,
    stillHeldBy: still,
    note: still.length
      ? 'the lease has ended, but the kernel cannot revoke fds already handed out: the listed processes keep device access until they close them or exit'
      : released ? 'the owner released the lease' : 'the lease was ended at the deadline; no process holds the devices any more',
  };
}

function waitForEnd(ctx: ServiceContext, events: EventEmitter, leaseId: string, ms: number): Promise<boolean> {
  if (!ctx.leases.get(leaseId)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onEvent = (ev: BrokerEvent) => {
      if (ev.kind === 'lease-released' && ev.leaseId === leaseId) done(true);
    };
    const timer = setTimeout(() => done(false), ms);
    const done = (v: boolean) => {
      clearTimeout(timer);
      events.off('event', onEvent);
      resolve(v);
    };
    events.on('event', onEvent);
  });
}
