// Original file: proto/vfiobroker/v1/broker.proto


export interface ListMdevTypesRequest {
}

export interface ListMdevTypesRequest__Output {
}
