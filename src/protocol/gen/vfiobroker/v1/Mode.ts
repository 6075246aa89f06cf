// Original file: proto/vfiobroker/v1/broker.proto

export const Mode = {
  MODE_UNSPECIFIED: 'MODE_UNSPECIFIED',
  MODE_LEGACY: 'MODE_LEGACY',
  MODE_IOMMUFD: 'MODE_IOMMUFD',
} as const;

export type Mode =
  | 'MODE_UNSPECIFIED'
  | 0
  | 'MODE_LEGACY'
  | 1
  | 'MODE_IOMMUFD'
  | 2

export type Mode__Output = typeof Mode[keyof typeof Mode]
