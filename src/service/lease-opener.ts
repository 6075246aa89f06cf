/**
 * The ways of opening a lease's fds, one per mode, behind one interface (as
 * QEMU's hw/vfio chooses a container backend): the facade picks the opener by
 * the lease's mode and never branches on it again.
 */
import type { HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import type { Mode } from '../broker/types.js';
import type { ServiceContext } from './context.js';
import type { LeaseResources } from './lease-resources.js';
import type { DeliveryItem } from './types.js';
import { LegacyOpener } from './legacy-opener.js';
import { IommufdOpener } from './iommufd-opener.js';

export interface LeaseOpener {
  readonly mode: Mode;
  /**
   * Open what the lease delivers: `only` limits device fds to those requested.
   * What the daemon keeps goes into `res`; on failure nothing opened is left open.
   */
  open(lease: Lease, groups: HostGroup[], only: Set<string> | undefined, res: LeaseResources): DeliveryItem[];
}

export function openers(ctx: ServiceContext): Record<Mode, LeaseOpener> {
  return { legacy: new LegacyOpener(ctx), iommufd: new IommufdOpener(ctx) };
}
