/**
 * Listening for the kernel asking for a leased device back (a sysfs remove or
 * unbind while a client holds it). The owner is told on its session and watchers
 * see `device-release-requested`; the removal waits until every fd of the device
 * is closed, which only the holders can do.
 */
import type { OwnedFd } from '../kernel/owned-fd.js';
import type { ServiceContext } from './context.js';
import type { LeaseResources } from './lease-resources.js';

export function watchDevice(ctx: ServiceContext, res: LeaseResources, group: number, device: string, fd: OwnedFd): void {
  // The kernel's registration is per device, so one watch serves every fd minted for it.
  if (res.isWatching(device)) return;
  const leaseId = res.leaseId;
  try {
    const w = ctx.host.watchRequests(fd, device, () => {
      const live = ctx.leases.get(leaseId);
      if (!live) return;
      const reason = 'the kernel asks for the device back (it is being removed or unbound); close every fd of it to let that finish';
      ctx.event({ kind: 'device-release-requested', device, leaseId, owner: live, group, reason });
      if (live.sessionId) ctx.notify(live.sessionId, { type: 'device-event', lease: leaseId, kind: 'device-release-requested', device });
    });
    if (w) res.addWatch(device, w);
  } catch (e) {
    // Not fatal: the lease works, the owner just won't hear of a removal early.
    ctx.warn(`cannot watch ${device} for removal requests: ${(e as Error).message}`);
  }
}
