// Original file: proto/vfiobroker/v1/broker.proto


export interface Delivery {
  'index'?: (number);
  'role'?: (string);
  'group'?: (number);
  'device'?: (string);
}

export interface Delivery__Output {
  'index': (number);
  'role': (string);
  'group': (number);
  'device': (string);
}
