// Original file: proto/vfiobroker/v1/broker.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
