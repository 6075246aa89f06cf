// Original file: proto/vfiobroker/v1/broker.proto


export interface Credentials {
  'pid'?: (number);
  'uid'?: (number);
  'gid'?: (number);
  'exe'?: (string);
}

export interface Credentials__Output {
  'pid': (number);
  'uid': (number);
  'gid': (number);
  'exe': (string);
}
