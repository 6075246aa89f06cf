// Original file: proto/vfiobroker/v1/broker.proto


export interface SetGroupTypeResponse {
  'group'?: (number);
  'previous'?: (string);
  'type'?: (string);
  'original'?: (string);
  'restored'?: (boolean);
}

export interface SetGroupTypeResponse__Output {
  'group': (number);
  'previous': (string);
  'type': (string);
  'original': (string);
  'restored': (boolean);
}
