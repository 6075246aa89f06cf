// Original file: proto/vfiobroker/v1/broker.proto


export interface ShareResponse {
  'grant'?: (string);
  'grant_id'?: (string);
  'expires'?: (string);
}

export interface ShareResponse__Output {
  'grant': (string);
  'grant_id': (string);
  'expires': (string);
}
