// Original file: proto/vfiobroker/v1/broker.proto


export interface RemoveMdevResponse {
  'removed'?: (boolean);
  'note'?: (string);
}

export interface RemoveMdevResponse__Output {
  'removed': (boolean);
  'note': (string);
}
