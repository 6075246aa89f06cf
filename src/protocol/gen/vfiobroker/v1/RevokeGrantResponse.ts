// Original file: proto/vfiobroker/v1/broker.proto


export interface RevokeGrantResponse {
}

export interface RevokeGrantResponse__Output {
}
