// Original file: proto/vfiobroker/v1/broker.proto

import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from '../../vfiobroker/v1/Owner.js';
import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface Lease {
  'id'?: (string);
  'groups'?: (number)[];
  'owner'?: (_vfiobroker_v1_Owner | null);
  'devices'?: (string)[];
  'mode'?: (_vfiobroker_v1_Mode);
  'state'?: (string);
  'shares'?: (number);
  'mdev_uuid'?: (string);
}

export interface Lease__Output {
  'id': (string);
  'groups': (number)[];
  'owner': (_vfiobroker_v1_Owner__Output | null);
  'devices': (string)[];
  'mode': (_vfiobroker_v1_Mode__Output);
  'state': (string);
  'shares': (number);
  'mdev_uuid': (string);
}
