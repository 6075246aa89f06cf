// Original file: proto/vfiobroker/v1/broker.proto

import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface ListGroupsRequest {
  'vendor_device'?: (string);
  'class'?: (string);
  'free_only'?: (boolean);
  'mode'?: (_vfiobroker_v1_Mode);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface ListGroupsRequest__Output {
  'vendor_device': (string);
  'class': (string);
  'free_only': (boolean);
  'mode': (_vfiobroker_v1_Mode__Output);
  'page_size': (number);
  'page_token': (string);
}
