// Original file: proto/vfiobroker/v1/broker.proto


export interface Grant {
  'id'?: (string);
  'lease_id'?: (string);
  'devices'?: (string)[];
  'uid'?: (number);
  'pid'?: (number);
  'include_container'?: (boolean);
  'single_use'?: (boolean);
  'expires'?: (string);
  'redeemed'?: (number);
  '_uid'?: "uid";
  '_pid'?: "pid";
}

export interface Grant__Output {
  'id': (string);
  'lease_id': (string);
  'devices': (string)[];
  'uid'?: (number);
  'pid'?: (number);
  'include_container': (boolean);
  'single_use': (boolean);
  'expires': (string);
  'redeemed': (number);
  '_uid'?: "uid";
  '_pid'?: "pid";
}
