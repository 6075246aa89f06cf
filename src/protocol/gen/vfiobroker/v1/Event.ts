// Original file: proto/vfiobroker/v1/broker.proto

import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from '../../vfiobroker/v1/Owner.js';

export interface Event {
  'time'?: (string);
  'kind'?: (string);
  'group'?: (number);
  'device'?: (string);
  'lease_id'?: (string);
  'owner'?: (_vfiobroker_v1_Owner | null);
  'reason'?: (string);
  'claim_id'?: (string);
}

export interface Event__Output {
  'time': (string);
  'kind': (string);
  'group': (number);
  'device': (string);
  'lease_id': (string);
  'owner': (_vfiobroker_v1_Owner__Output | null);
  'reason': (string);
  'claim_id': (string);
}
