// Original file: proto/vfiobroker/v1/broker.proto


export interface CreateMdevRequest {
  'parent'?: (string);
  'type'?: (string);
  'uuid'?: (string);
}

export interface CreateMdevRequest__Output {
  'parent': (string);
  'type': (string);
  'uuid': (string);
}
