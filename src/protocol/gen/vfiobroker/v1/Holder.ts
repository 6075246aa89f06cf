// Original file: proto/vfiobroker/v1/broker.proto


export interface Holder {
  'pid'?: (number);
  'uid'?: (number);
  'comm'?: (string);
  'path'?: (string);
}

export interface Holder__Output {
  'pid': (number);
  'uid': (number);
  'comm': (string);
  'path': (string);
}
