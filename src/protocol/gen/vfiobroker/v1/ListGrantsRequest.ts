// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';

export interface ListGrantsRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'lease_id'?: (string);
}

export interface ListGrantsRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'lease_id': (string);
}
