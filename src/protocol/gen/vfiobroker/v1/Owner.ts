// Original file: proto/vfiobroker/v1/broker.proto

import type { Credentials as _vfiobroker_v1_Credentials, Credentials__Output as _vfiobroker_v1_Credentials__Output } from '../../vfiobroker/v1/Credentials.js';
import type { Mode as _vfiobroker_v1_Mode, Mode__Output as _vfiobroker_v1_Mode__Output } from '../../vfiobroker/v1/Mode.js';

export interface Owner {
  'lease_id'?: (string);
  'cred'?: (_vfiobroker_v1_Credentials | null);
  'since'?: (string);
  'session_id'?: (string);
  'mode'?: (_vfiobroker_v1_Mode);
}

export interface Owner__Output {
  'lease_id': (string);
  'cred': (_vfiobroker_v1_Credentials__Output | null);
  'since': (string);
  'session_id': (string);
  'mode': (_vfiobroker_v1_Mode__Output);
}
