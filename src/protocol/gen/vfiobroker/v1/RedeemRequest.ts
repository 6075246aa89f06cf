// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';

export interface RedeemRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'grant'?: (string);
}

export interface RedeemRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'grant': (string);
}
