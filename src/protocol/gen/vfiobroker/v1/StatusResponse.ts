// Original file: proto/vfiobroker/v1/broker.proto


export interface StatusResponse {
  'version'?: (string);
  'groups'?: (number);
  'leases'?: (number);
  'sessions'?: (number);
  'started'?: (string);
  'restored_leases'?: (number);
  'policy_file'?: (string);
  'policy_loaded'?: (string);
}

export interface StatusResponse__Output {
  'version': (string);
  'groups': (number);
  'leases': (number);
  'sessions': (number);
  'started': (string);
  'restored_leases': (number);
  'policy_file': (string);
  'policy_loaded': (string);
}
