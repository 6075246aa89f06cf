/** Shared vocabulary of the pure broker logic. No I/O lives under src/broker. */

/** Who is calling, as the kernel told us (SO_PEERCRED) plus what /proc adds. */
export interface Caller {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary group ids, so policy and admin checks see group membership. */
  groups: number[];
  /** /proc/<pid>/exe, for the audit trail; empty when unreadable. */
  exe?: string;
  /** Process start time (clock ticks since boot), to tell a pid from a reused one. */
  startTime?: string;
}

export type { Mode } from '../protocol/mode.js';
export type { FdRole } from '../protocol/fd-protocol.js';

/** What the broker needs to know about a group to decide (a projection of the sysfs inventory). */
export interface GroupFacts {
  id: number;
  viable: boolean;
  viabilityReason: string;
  noiommu: boolean;
  devices: DeviceFacts[];
}

export interface DeviceFacts {
  name: string;
  /** pci, platform, mdev, ... (absent in facts built before it mattered: not mdev). */
  bus?: string | null;
  driver: string | null;
  /** A mediated device's type id (mtty-2, nvidia-35): what policy rules select by. */
  mdevType?: string;
  vendor?: string;
  device?: string;
  class?: string;
  bridge: boolean;
  cdev: string | null;
  /** PCI devices above this one, root port first (the slots it sits behind); absent when unknown. */
  upstream?: string[];
}

export { isVfioDriver, isVfioBound } from './input.js';
