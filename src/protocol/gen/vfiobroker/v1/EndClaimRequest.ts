// Original file: proto/vfiobroker/v1/broker.proto


export interface EndClaimRequest {
  'claim_id'?: (string);
  'reason'?: (string);
}

export interface EndClaimRequest__Output {
  'claim_id': (string);
  'reason': (string);
}
