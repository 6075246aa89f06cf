// Original file: proto/vfiobroker/v1/broker.proto


export interface DeviceBinding {
  'device'?: (string);
  'from_driver'?: (string);
  'to_driver'?: (string);
  'changed'?: (boolean);
  'note'?: (string);
}

export interface DeviceBinding__Output {
  'device': (string);
  'from_driver': (string);
  'to_driver': (string);
  'changed': (boolean);
  'note': (string);
}
