// Original file: proto/vfiobroker/v1/broker.proto

import type { Grant as _vfiobroker_v1_Grant, Grant__Output as _vfiobroker_v1_Grant__Output } from '../../vfiobroker/v1/Grant.js';

export interface ListGrantsResponse {
  'grants'?: (_vfiobroker_v1_Grant)[];
}

export interface ListGrantsResponse__Output {
  'grants': (_vfiobroker_v1_Grant__Output)[];
}
