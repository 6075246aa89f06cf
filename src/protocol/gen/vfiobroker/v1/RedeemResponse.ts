// Original file: proto/vfiobroker/v1/broker.proto

import type { Delivery as _vfiobroker_v1_Delivery, Delivery__Output as _vfiobroker_v1_Delivery__Output } from '../../vfiobroker/v1/Delivery.js';

export interface RedeemResponse {
  'lease_id'?: (string);
  'request_id'?: (string);
  'deliveries'?: (_vfiobroker_v1_Delivery)[];
}

export interface RedeemResponse__Output {
  'lease_id': (string);
  'request_id': (string);
  'deliveries': (_vfiobroker_v1_Delivery__Output)[];
}
