// Original file: proto/vfiobroker/v1/broker.proto


export interface MdevType {
  'id'?: (string);
  'name'?: (string);
  'description'?: (string);
  'available_instances'?: (number);
  'device_api'?: (string);
  'instances'?: (string)[];
}

export interface MdevType__Output {
  'id': (string);
  'name': (string);
  'description': (string);
  'available_instances': (number);
  'device_api': (string);
  'instances': (string)[];
}
