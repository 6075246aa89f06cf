// Original file: proto/vfiobroker/v1/broker.proto


export interface RemoveMdevRequest {
  'uuid'?: (string);
}

export interface RemoveMdevRequest__Output {
  'uuid': (string);
}
