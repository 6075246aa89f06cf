// Original file: proto/vfiobroker/v1/broker.proto


export interface WatchRequest {
  'include_current'?: (boolean);
}

export interface WatchRequest__Output {
  'include_current': (boolean);
}
