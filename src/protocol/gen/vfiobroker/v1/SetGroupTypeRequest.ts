// Original file: proto/vfiobroker/v1/broker.proto


export interface SetGroupTypeRequest {
  'group'?: (number);
  'type'?: (string);
  'restore'?: (boolean);
}

export interface SetGroupTypeRequest__Output {
  'group': (number);
  'type': (string);
  'restore': (boolean);
}
