// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';
import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface AcquireRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'groups'?: (number)[];
  'devices'?: (string)[];
  'mode'?: (_vfiobroker_v1_Mode);
  'only_requested_devices'?: (boolean);
  'managed'?: (boolean);
  'request_tag'?: (string);
  'mdev_type'?: (string);
  'mdev_parent'?: (string);
}

export interface AcquireRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'groups': (number)[];
  'devices': (string)[];
  'mode': (_vfiobroker_v1_Mode__Output);
  'only_requested_devices': (boolean);
  'managed': (boolean);
  'request_tag': (string);
  'mdev_type': (string);
  'mdev_parent': (string);
}
