// Original file: proto/vfiobroker/v1/broker.proto


export interface ReservedRegion {
  'start'?: (string);
  'end'?: (string);
  'type'?: (string);
}

export interface ReservedRegion__Output {
  'start': (string);
  'end': (string);
  'type': (string);
}
