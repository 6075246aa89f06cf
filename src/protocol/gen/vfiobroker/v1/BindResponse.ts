// Original file: proto/vfiobroker/v1/broker.proto

import type { DeviceBinding as _vfiobroker_v1_DeviceBinding, DeviceBinding__Output as _vfiobroker_v1_DeviceBinding__Output } from '../../vfiobroker/v1/DeviceBinding.js';

export interface BindResponse {
  'devices'?: (_vfiobroker_v1_DeviceBinding)[];
}

export interface BindResponse__Output {
  'devices': (_vfiobroker_v1_DeviceBinding__Output)[];
}
