// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';

export interface ReattachRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'lease_ids'?: (string)[];
  'lease_secret'?: (string);
}

export interface ReattachRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'lease_ids': (string)[];
  'lease_secret': (string);
}
