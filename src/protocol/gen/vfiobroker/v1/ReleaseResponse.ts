// Original file: proto/vfiobroker/v1/broker.proto


export interface ReleaseResponse {
}

export interface ReleaseResponse__Output {
}
