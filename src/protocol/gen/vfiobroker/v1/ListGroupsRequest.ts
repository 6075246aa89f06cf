// Original file: proto/vfiobroker/v1/broker.proto


export interface ListGroupsRequest {
}

export interface ListGroupsRequest__Output {
}
