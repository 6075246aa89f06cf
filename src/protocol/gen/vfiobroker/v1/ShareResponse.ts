// Original file: proto/vfiobroker/v1/broker.proto


export interface ShareResponse {
  'grant'?: (string);
}

export interface ShareResponse__Output {
  'grant': (string);
}
