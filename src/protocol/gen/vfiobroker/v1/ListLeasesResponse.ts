// Original file: proto/vfiobroker/v1/broker.proto

import type { Lease as _vfiobroker_v1_Lease, Lease__Output as _vfiobroker_v1_Lease__Output } from '../../vfiobroker/v1/Lease.js';

export interface ListLeasesResponse {
  'leases'?: (_vfiobroker_v1_Lease)[];
}

export interface ListLeasesResponse__Output {
  'leases': (_vfiobroker_v1_Lease__Output)[];
}
