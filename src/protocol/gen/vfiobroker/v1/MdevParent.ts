// Original file: proto/vfiobroker/v1/broker.proto

import type { MdevType as _vfiobroker_v1_MdevType, MdevType__Output as _vfiobroker_v1_MdevType__Output } from '../../vfiobroker/v1/MdevType.js';

export interface MdevParent {
  'name'?: (string);
  'driver'?: (string);
  'types'?: (_vfiobroker_v1_MdevType)[];
}

export interface MdevParent__Output {
  'name': (string);
  'driver': (string);
  'types': (_vfiobroker_v1_MdevType__Output)[];
}
