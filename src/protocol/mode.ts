/** The lease mode and its protobuf enum names, shared by the daemon and every client. */
/** How a lease's fds are delivered: legacy container/group/device fds, or /dev/iommu plus vfio cdevs. */
export type Mode = 'legacy' | 'iommufd';

export const MODE_WIRE: Record<Mode, 'MODE_LEGACY' | 'MODE_IOMMUFD'> = { legacy: 'MODE_LEGACY', iommufd: 'MODE_IOMMUFD' };

/** The wire's mode (enum name or number; unset means legacy), or null when it names no mode. */
export function modeFromWire(v: unknown): Mode | null {
  if (v === undefined || v === null || v === '' || v === 'MODE_UNSPECIFIED' || v === 'MODE_LEGACY' || v === 0 || v === 1) return 'legacy';
  if (v === 'MODE_IOMMUFD' || v === 2) return 'iommufd';
  return null;
}
