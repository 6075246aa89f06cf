// Original file: proto/vfiobroker/v1/broker.proto


export interface RevokeRequest {
  'lease_id'?: (string);
  'deadline_ms'?: (number);
}

export interface RevokeRequest__Output {
  'lease_id': (string);
  'deadline_ms': (number);
}
