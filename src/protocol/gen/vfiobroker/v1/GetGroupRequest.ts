// Original file: proto/vfiobroker/v1/broker.proto


export interface GetGroupRequest {
  'id'?: (number);
}

export interface GetGroupRequest__Output {
  'id': (number);
}
