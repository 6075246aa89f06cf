// Original file: proto/vfiobroker/v1/broker.proto

import type { Claim as _vfiobroker_v1_Claim, Claim__Output as _vfiobroker_v1_Claim__Output } from '../../vfiobroker/v1/Claim.js';

export interface CreateClaimResponse {
  'claim'?: (_vfiobroker_v1_Claim | null);
  'token'?: (string);
}

export interface CreateClaimResponse__Output {
  'claim': (_vfiobroker_v1_Claim__Output | null);
  'token': (string);
}
