// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';

export interface ShareRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'lease_id'?: (string);
  'devices'?: (string)[];
  'uid'?: (number);
  'pid'?: (number);
  'include_container'?: (boolean);
  'any_uid'?: (boolean);
  'ttl_seconds'?: (number);
  'single_use'?: (boolean);
  '_uid'?: "uid";
  '_pid'?: "pid";
}

export interface ShareRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'lease_id': (string);
  'devices': (string)[];
  'uid'?: (number);
  'pid'?: (number);
  'include_container': (boolean);
  'any_uid': (boolean);
  'ttl_seconds': (number);
  'single_use': (boolean);
  '_uid'?: "uid";
  '_pid'?: "pid";
}
