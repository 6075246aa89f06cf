// Original file: proto/vfiobroker/v1/broker.proto

import type { MdevInstance as _vfiobroker_v1_MdevInstance, MdevInstance__Output as _vfiobroker_v1_MdevInstance__Output } from '../../vfiobroker/v1/MdevInstance.js';

export interface CreateMdevResponse {
  'instance'?: (_vfiobroker_v1_MdevInstance | null);
}

export interface CreateMdevResponse__Output {
  'instance': (_vfiobroker_v1_MdevInstance__Output | null);
}
