// Original file: proto/vfiobroker/v1/broker.proto

import type { Device as _vfiobroker_v1_Device, Device__Output as _vfiobroker_v1_Device__Output } from '../../vfiobroker/v1/Device.js';
import type { ReservedRegion as _vfiobroker_v1_ReservedRegion, ReservedRegion__Output as _vfiobroker_v1_ReservedRegion__Output } from '../../vfiobroker/v1/ReservedRegion.js';
import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';
import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from '../../vfiobroker/v1/Owner.js';

export interface Group {
  'id'?: (number);
  'devices'?: (_vfiobroker_v1_Device)[];
  'viable'?: (boolean);
  'viability_reason'?: (string);
  'type'?: (string);
  'reserved_regions'?: (_vfiobroker_v1_ReservedRegion)[];
  'noiommu'?: (boolean);
  'dev_node'?: (string);
  'modes'?: (_vfiobroker_v1_Mode)[];
  'owner'?: (_vfiobroker_v1_Owner | null);
  'claim_id'?: (string);
  'emulated_iommu'?: (boolean);
}

export interface Group__Output {
  'id': (number);
  'devices': (_vfiobroker_v1_Device__Output)[];
  'viable': (boolean);
  'viability_reason': (string);
  'type': (string);
  'reserved_regions': (_vfiobroker_v1_ReservedRegion__Output)[];
  'noiommu': (boolean);
  'dev_node': (string);
  'modes': (_vfiobroker_v1_Mode__Output)[];
  'owner': (_vfiobroker_v1_Owner__Output | null);
  'claim_id': (string);
  'emulated_iommu': (boolean);
}
