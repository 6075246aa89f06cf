/**
 * The daemon's container and group fds in systemd's fd store, so a restart (a
 * crash, an upgrade) finds them again: without them it could not mint device fds
 * for leases that outlived it. Each fd is stored under a name that says what it
 * is: "<lease>.container" and "<lease>.group.<N>".
 */
import type { Logger } from 'pino';
import type { SdNotifier } from '../kernel/sd-notify.js';
import type { ListenFd } from '../kernel/sd-listen.js';
import type { LegacyHandles } from '../kernel/host.js';
import type { OwnedFd } from '../kernel/owned-fd.js';

const names = (leaseId: string, h: LegacyHandles) => [
  { name: `${leaseId}.container`, fd: h.container },
  ...[...h.groups].map(([g, fd]) => ({ name: `${leaseId}.group.${g}`, fd })),
];

export class FdStore {
  constructor(private notifier: SdNotifier, private log: Logger) {}

  get enabled(): boolean {
    return this.notifier.enabled;
  }

  keep(leaseId: string, h: LegacyHandles): void {
    if (!this.enabled) return;
    for (const { name, fd } of names(leaseId, h)) this.notifier.storeFds(name, [fd.fd]);
    this.log.debug({ lease: leaseId }, 'fds kept in the systemd fd store');
  }

  drop(leaseId: string, h: LegacyHandles): void {
    if (!this.enabled) return;
    for (const { name } of names(leaseId, h)) this.notifier.removeFds(name);
  }

  /**
   * Rebuild lease handles from the fds systemd passed back. A lease whose
   * container or groups are incomplete cannot be used: its fds are closed (the
   * journal still reserves its groups until the owner is found gone).
   */
  static recover(fds: ListenFd[], log: Logger): Map<string, LegacyHandles> {
    type Parts = { container?: OwnedFd; groups: Map<number, OwnedFd> };
    const parts = new Map<string, Parts>();
    for (const { name, fd } of fds) {
      const m = /^(L-[0-9a-f]+)\.(container|group\.(\d+))$/.exec(name);
      if (!m) {
        log.warn({ name }, 'fd store: unknown fd name, closing it');
        fd.close();
        continue;
      }
      const p: Parts = parts.get(m[1]) ?? { groups: new Map() };
      parts.set(m[1], p);
      if (m[2] === 'container') p.container = fd;
      else p.groups.set(Number(m[3]), fd);
    }
    const out = new Map<string, LegacyHandles>();
    for (const [leaseId, p] of parts) {
      if (!p.container || p.groups.size === 0) {
        log.warn({ lease: leaseId }, 'fd store: incomplete set of fds for lease, closing them');
        p.container?.close();
        for (const fd of p.groups.values()) fd.close();
        continue;
      }
      out.set(leaseId, { container: p.container, groups: p.groups });
    }
    return out;
  }
}
