// Original file: proto/vfiobroker/v1/broker.proto

import type { Delivery as _vfiobroker_v1_Delivery, Delivery__Output as _vfiobroker_v1_Delivery__Output } from '../../vfiobroker/v1/Delivery.js';
import type { Long } from '@grpc/proto-loader';

export interface AcquireResponse {
  'lease_id'?: (string);
  'request_id'?: (string);
  'deliveries'?: (_vfiobroker_v1_Delivery)[];
  'groups'?: (number)[];
  'memlock_bytes'?: (number | string | Long);
  'lease_secret'?: (string);
  'mdev_uuid'?: (string);
}

export interface AcquireResponse__Output {
  'lease_id': (string);
  'request_id': (string);
  'deliveries': (_vfiobroker_v1_Delivery__Output)[];
  'groups': (number)[];
  'memlock_bytes': (string);
  'lease_secret': (string);
  'mdev_uuid': (string);
}
