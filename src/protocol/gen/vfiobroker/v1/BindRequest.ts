// Original file: proto/vfiobroker/v1/broker.proto


export interface BindRequest {
  'group'?: (number);
}

export interface BindRequest__Output {
  'group': (number);
}
