// Original file: proto/vfiobroker/v1/broker.proto

import type { MdevParent as _vfiobroker_v1_MdevParent, MdevParent__Output as _vfiobroker_v1_MdevParent__Output } from '../../vfiobroker/v1/MdevParent.js';
import type { MdevInstance as _vfiobroker_v1_MdevInstance, MdevInstance__Output as _vfiobroker_v1_MdevInstance__Output } from '../../vfiobroker/v1/MdevInstance.js';

export interface ListMdevTypesResponse {
  'parents'?: (_vfiobroker_v1_MdevParent)[];
  'instances'?: (_vfiobroker_v1_MdevInstance)[];
}

export interface ListMdevTypesResponse__Output {
  'parents': (_vfiobroker_v1_MdevParent__Output)[];
  'instances': (_vfiobroker_v1_MdevInstance__Output)[];
}
