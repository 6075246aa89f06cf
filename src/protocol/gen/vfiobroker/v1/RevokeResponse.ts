// Original file: proto/vfiobroker/v1/broker.proto

import type { Holder as _vfiobroker_v1_Holder, Holder__Output as _vfiobroker_v1_Holder__Output } from '../../vfiobroker/v1/Holder.js';

export interface RevokeResponse {
  'ended'?: (boolean);
  'still_held_by'?: (_vfiobroker_v1_Holder)[];
  'note'?: (string);
}

export interface RevokeResponse__Output {
  'ended': (boolean);
  'still_held_by': (_vfiobroker_v1_Holder__Output)[];
  'note': (string);
}
