// Original file: proto/vfiobroker/v1/broker.proto

import type { Holder as _vfiobroker_v1_Holder, Holder__Output as _vfiobroker_v1_Holder__Output } from '../../vfiobroker/v1/Holder.js';
import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from '../../vfiobroker/v1/Owner.js';

export interface HoldersResponse {
  'holders'?: (_vfiobroker_v1_Holder)[];
  'owner'?: (_vfiobroker_v1_Owner | null);
}

export interface HoldersResponse__Output {
  'holders': (_vfiobroker_v1_Holder__Output)[];
  'owner': (_vfiobroker_v1_Owner__Output | null);
}
