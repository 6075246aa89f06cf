// Original file: proto/vfiobroker/v1/broker.proto

import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from '../../vfiobroker/v1/Owner.js';

export interface MdevInstance {
  'uuid'?: (string);
  'type'?: (string);
  'parent'?: (string);
  'group'?: (number);
  'has_group'?: (boolean);
  'driver'?: (string);
  'owner'?: (_vfiobroker_v1_Owner | null);
  'lease_owned'?: (boolean);
}

export interface MdevInstance__Output {
  'uuid': (string);
  'type': (string);
  'parent': (string);
  'group': (number);
  'has_group': (boolean);
  'driver': (string);
  'owner': (_vfiobroker_v1_Owner__Output | null);
  'lease_owned': (boolean);
}
