// Original file: proto/vfiobroker/v1/broker.proto


export interface ReattachResponse {
  'lease_ids'?: (string)[];
}

export interface ReattachResponse__Output {
  'lease_ids': (string)[];
}
