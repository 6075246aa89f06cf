// Original file: proto/vfiobroker/v1/broker.proto

import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface Claim {
  'id'?: (string);
  'groups'?: (number)[];
  'mode'?: (_vfiobroker_v1_Mode);
  'state'?: (string);
  'owner_ref'?: (string);
  'pod_uid'?: (string);
  'lease_id'?: (string);
  'created'?: (string);
  'expires'?: (string);
}

export interface Claim__Output {
  'id': (string);
  'groups': (number)[];
  'mode': (_vfiobroker_v1_Mode__Output);
  'state': (string);
  'owner_ref': (string);
  'pod_uid': (string);
  'lease_id': (string);
  'created': (string);
  'expires': (string);
}
