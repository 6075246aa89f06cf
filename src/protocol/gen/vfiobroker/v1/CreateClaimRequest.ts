// Original file: proto/vfiobroker/v1/broker.proto

import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface CreateClaimRequest {
  'groups'?: (number)[];
  'devices'?: (string)[];
  'mode'?: (_vfiobroker_v1_Mode);
  'owner_ref'?: (string);
  'ttl_seconds'?: (number);
}

export interface CreateClaimRequest__Output {
  'groups': (number)[];
  'devices': (string)[];
  'mode': (_vfiobroker_v1_Mode__Output);
  'owner_ref': (string);
  'ttl_seconds': (number);
}
