// Original file: proto/vfiobroker/v1/broker.proto


export interface HoldersRequest {
  'group'?: (number);
}

export interface HoldersRequest__Output {
  'group': (number);
}
