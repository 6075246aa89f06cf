// Original file: proto/vfiobroker/v1/broker.proto


export interface Session {
  'id'?: (string);
  'secret'?: (string);
}

export interface Session__Output {
  'id': (string);
  'secret': (string);
}
