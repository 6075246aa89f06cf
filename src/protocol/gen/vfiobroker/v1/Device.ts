// Original file: proto/vfiobroker/v1/broker.proto


export interface Device {
  'name'?: (string);
  'bus'?: (string);
  'driver'?: (string);
  'vendor'?: (string);
  'device'?: (string);
  'class'?: (string);
  'bridge'?: (boolean);
  'cdev'?: (string);
  'driver_override'?: (string);
  'numa_node'?: (number);
  'mdev_type'?: (string);
  'mdev_parent'?: (string);
}

export interface Device__Output {
  'name': (string);
  'bus': (string);
  'driver': (string);
  'vendor': (string);
  'device': (string);
  'class': (string);
  'bridge': (boolean);
  'cdev': (string);
  'driver_override': (string);
  'numa_node': (number);
  'mdev_type': (string);
  'mdev_parent': (string);
}
