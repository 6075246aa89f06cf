// Original file: proto/vfiobroker/v1/broker.proto

import type { Group as _vfiobroker_v1_Group, Group__Output as _vfiobroker_v1_Group__Output } from '../../vfiobroker/v1/Group.js';

export interface ListGroupsResponse {
  'groups'?: (_vfiobroker_v1_Group)[];
  'next_page_token'?: (string);
}

export interface ListGroupsResponse__Output {
  'groups': (_vfiobroker_v1_Group__Output)[];
  'next_page_token': (string);
}
