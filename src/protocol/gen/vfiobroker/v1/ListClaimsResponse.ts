// Original file: proto/vfiobroker/v1/broker.proto

import type { Claim as _vfiobroker_v1_Claim, Claim__Output as _vfiobroker_v1_Claim__Output } from '../../vfiobroker/v1/Claim.js';

export interface ListClaimsResponse {
  'claims'?: (_vfiobroker_v1_Claim)[];
}

export interface ListClaimsResponse__Output {
  'claims': (_vfiobroker_v1_Claim__Output)[];
}
