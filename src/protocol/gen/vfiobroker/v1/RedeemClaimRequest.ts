// Original file: proto/vfiobroker/v1/broker.proto

import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from '../../vfiobroker/v1/Session.js';

export interface RedeemClaimRequest {
  'session'?: (_vfiobroker_v1_Session | null);
  'claim_id'?: (string);
  'token'?: (string);
  'request_tag'?: (string);
}

export interface RedeemClaimRequest__Output {
  'session': (_vfiobroker_v1_Session__Output | null);
  'claim_id': (string);
  'token': (string);
  'request_tag': (string);
}
