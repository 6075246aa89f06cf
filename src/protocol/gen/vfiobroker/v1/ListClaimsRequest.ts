// Original file: proto/vfiobroker/v1/broker.proto


export interface ListClaimsRequest {
}

export interface ListClaimsRequest__Output {
}
