// Original file: proto/vfiobroker/v1/broker.proto


export interface ListLeasesRequest {
}

export interface ListLeasesRequest__Output {
}
