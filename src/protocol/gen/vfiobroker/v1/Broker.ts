// Original file: proto/vfiobroker/v1/broker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcquireRequest as _vfiobroker_v1_AcquireRequest, AcquireRequest__Output as _vfiobroker_v1_AcquireRequest__Output } from '../../vfiobroker/v1/AcquireRequest.js';
import type { AcquireResponse as _vfiobroker_v1_AcquireResponse, AcquireResponse__Output as _vfiobroker_v1_AcquireResponse__Output } from '../../vfiobroker/v1/AcquireResponse.js';
import type { BindRequest as _vfiobroker_v1_BindRequest, BindRequest__Output as _vfiobroker_v1_BindRequest__Output } from '../../vfiobroker/v1/BindRequest.js';
import type { BindResponse as _vfiobroker_v1_BindResponse, BindResponse__Output as _vfiobroker_v1_BindResponse__Output } from '../../vfiobroker/v1/BindResponse.js';
import type { CreateClaimRequest as _vfiobroker_v1_CreateClaimRequest, CreateClaimRequest__Output as _vfiobroker_v1_CreateClaimRequest__Output } from '../../vfiobroker/v1/CreateClaimRequest.js';
import type { CreateClaimResponse as _vfiobroker_v1_CreateClaimResponse, CreateClaimResponse__Output as _vfiobroker_v1_CreateClaimResponse__Output } from '../../vfiobroker/v1/CreateClaimResponse.js';
import type { CreateMdevRequest as _vfiobroker_v1_CreateMdevRequest, CreateMdevRequest__Output as _vfiobroker_v1_CreateMdevRequest__Output } from '../../vfiobroker/v1/CreateMdevRequest.js';
import type { CreateMdevResponse as _vfiobroker_v1_CreateMdevResponse, CreateMdevResponse__Output as _vfiobroker_v1_CreateMdevResponse__Output } from '../../vfiobroker/v1/CreateMdevResponse.js';
import type { EndClaimRequest as _vfiobroker_v1_EndClaimRequest, EndClaimRequest__Output as _vfiobroker_v1_EndClaimRequest__Output } from '../../vfiobroker/v1/EndClaimRequest.js';
import type { EndClaimResponse as _vfiobroker_v1_EndClaimResponse, EndClaimResponse__Output as _vfiobroker_v1_EndClaimResponse__Output } from '../../vfiobroker/v1/EndClaimResponse.js';
import type { Event as _vfiobroker_v1_Event, Event__Output as _vfiobroker_v1_Event__Output } from '../../vfiobroker/v1/Event.js';
import type { GetGroupRequest as _vfiobroker_v1_GetGroupRequest, GetGroupRequest__Output as _vfiobroker_v1_GetGroupRequest__Output } from '../../vfiobroker/v1/GetGroupRequest.js';
import type { Group as _vfiobroker_v1_Group, Group__Output as _vfiobroker_v1_Group__Output } from '../../vfiobroker/v1/Group.js';
import type { HoldersRequest as _vfiobroker_v1_HoldersRequest, HoldersRequest__Output as _vfiobroker_v1_HoldersRequest__Output } from '../../vfiobroker/v1/HoldersRequest.js';
import type { HoldersResponse as _vfiobroker_v1_HoldersResponse, HoldersResponse__Output as _vfiobroker_v1_HoldersResponse__Output } from '../../vfiobroker/v1/HoldersResponse.js';
import type { ListClaimsRequest as _vfiobroker_v1_ListClaimsRequest, ListClaimsRequest__Output as _vfiobroker_v1_ListClaimsRequest__Output } from '../../vfiobroker/v1/ListClaimsRequest.js';
import type { ListClaimsResponse as _vfiobroker_v1_ListClaimsResponse, ListClaimsResponse__Output as _vfiobroker_v1_ListClaimsResponse__Output } from '../../vfiobroker/v1/ListClaimsResponse.js';
import type { ListGrantsRequest as _vfiobroker_v1_ListGrantsRequest, ListGrantsRequest__Output as _vfiobroker_v1_ListGrantsRequest__Output } from '../../vfiobroker/v1/ListGrantsRequest.js';
import type { ListGrantsResponse as _vfiobroker_v1_ListGrantsResponse, ListGrantsResponse__Output as _vfiobroker_v1_ListGrantsResponse__Output } from '../../vfiobroker/v1/ListGrantsResponse.js';
import type { ListGroupsRequest as _vfiobroker_v1_ListGroupsRequest, ListGroupsRequest__Output as _vfiobroker_v1_ListGroupsRequest__Output } from '../../vfiobroker/v1/ListGroupsRequest.js';
import type { ListGroupsResponse as _vfiobroker_v1_ListGroupsResponse, ListGroupsResponse__Output as _vfiobroker_v1_ListGroupsResponse__Output } from '../../vfiobroker/v1/ListGroupsResponse.js';
import type { ListLeasesRequest as _vfiobroker_v1_ListLeasesRequest, ListLeasesRequest__Output as _vfiobroker_v1_ListLeasesRequest__Output } from '../../vfiobroker/v1/ListLeasesRequest.js';
import type { ListLeasesResponse as _vfiobroker_v1_ListLeasesResponse, ListLeasesResponse__Output as _vfiobroker_v1_ListLeasesResponse__Output } from '../../vfiobroker/v1/ListLeasesResponse.js';
import type { ListMdevTypesRequest as _vfiobroker_v1_ListMdevTypesRequest, ListMdevTypesRequest__Output as _vfiobroker_v1_ListMdevTypesRequest__Output } from '../../vfiobroker/v1/ListMdevTypesRequest.js';
import type { ListMdevTypesResponse as _vfiobroker_v1_ListMdevTypesResponse, ListMdevTypesResponse__Output as _vfiobroker_v1_ListMdevTypesResponse__Output } from '../../vfiobroker/v1/ListMdevTypesResponse.js';
import type { OpenDeviceRequest as _vfiobroker_v1_OpenDeviceRequest, OpenDeviceRequest__Output as _vfiobroker_v1_OpenDeviceRequest__Output } from '../../vfiobroker/v1/OpenDeviceRequest.js';
import type { OpenDeviceResponse as _vfiobroker_v1_OpenDeviceResponse, OpenDeviceResponse__Output as _vfiobroker_v1_OpenDeviceResponse__Output } from '../../vfiobroker/v1/OpenDeviceResponse.js';
import type { ReattachRequest as _vfiobroker_v1_ReattachRequest, ReattachRequest__Output as _vfiobroker_v1_ReattachRequest__Output } from '../../vfiobroker/v1/ReattachRequest.js';
import type { ReattachResponse as _vfiobroker_v1_ReattachResponse, ReattachResponse__Output as _vfiobroker_v1_ReattachResponse__Output } from '../../vfiobroker/v1/ReattachResponse.js';
import type { RedeemClaimRequest as _vfiobroker_v1_RedeemClaimRequest, RedeemClaimRequest__Output as _vfiobroker_v1_RedeemClaimRequest__Output } from '../../vfiobroker/v1/RedeemClaimRequest.js';
import type { RedeemRequest as _vfiobroker_v1_RedeemRequest, RedeemRequest__Output as _vfiobroker_v1_RedeemRequest__Output } from '../../vfiobroker/v1/RedeemRequest.js';
import type { RedeemResponse as _vfiobroker_v1_RedeemResponse, RedeemResponse__Output as _vfiobroker_v1_RedeemResponse__Output } from '../../vfiobroker/v1/RedeemResponse.js';
import type { ReleaseRequest as _vfiobroker_v1_ReleaseRequest, ReleaseRequest__Output as _vfiobroker_v1_ReleaseRequest__Output } from '../../vfiobroker/v1/ReleaseRequest.js';
import type { ReleaseResponse as _vfiobroker_v1_ReleaseResponse, ReleaseResponse__Output as _vfiobroker_v1_ReleaseResponse__Output } from '../../vfiobroker/v1/ReleaseResponse.js';
import type { RemoveMdevRequest as _vfiobroker_v1_RemoveMdevRequest, RemoveMdevRequest__Output as _vfiobroker_v1_RemoveMdevRequest__Output } from '../../vfiobroker/v1/RemoveMdevRequest.js';
import type { RemoveMdevResponse as _vfiobroker_v1_RemoveMdevResponse, RemoveMdevResponse__Output as _vfiobroker_v1_RemoveMdevResponse__Output } from '../../vfiobroker/v1/RemoveMdevResponse.js';
import type { RevokeGrantRequest as _vfiobroker_v1_RevokeGrantRequest, RevokeGrantRequest__Output as _vfiobroker_v1_RevokeGrantRequest__Output } from '../../vfiobroker/v1/RevokeGrantRequest.js';
import type { RevokeGrantResponse as _vfiobroker_v1_RevokeGrantResponse, RevokeGrantResponse__Output as _vfiobroker_v1_RevokeGrantResponse__Output } from '../../vfiobroker/v1/RevokeGrantResponse.js';
import type { RevokeRequest as _vfiobroker_v1_RevokeRequest, RevokeRequest__Output as _vfiobroker_v1_RevokeRequest__Output } from '../../vfiobroker/v1/RevokeRequest.js';
import type { RevokeResponse as _vfiobroker_v1_RevokeResponse, RevokeResponse__Output as _vfiobroker_v1_RevokeResponse__Output } from '../../vfiobroker/v1/RevokeResponse.js';
import type { SetGroupTypeRequest as _vfiobroker_v1_SetGroupTypeRequest, SetGroupTypeRequest__Output as _vfiobroker_v1_SetGroupTypeRequest__Output } from '../../vfiobroker/v1/SetGroupTypeRequest.js';
import type { SetGroupTypeResponse as _vfiobroker_v1_SetGroupTypeResponse, SetGroupTypeResponse__Output as _vfiobroker_v1_SetGroupTypeResponse__Output } from '../../vfiobroker/v1/SetGroupTypeResponse.js';
import type { ShareRequest as _vfiobroker_v1_ShareRequest, ShareRequest__Output as _vfiobroker_v1_ShareRequest__Output } from '../../vfiobroker/v1/ShareRequest.js';
import type { ShareResponse as _vfiobroker_v1_ShareResponse, ShareResponse__Output as _vfiobroker_v1_ShareResponse__Output } from '../../vfiobroker/v1/ShareResponse.js';
import type { StatusRequest as _vfiobroker_v1_StatusRequest, StatusRequest__Output as _vfiobroker_v1_StatusRequest__Output } from '../../vfiobroker/v1/StatusRequest.js';
import type { StatusResponse as _vfiobroker_v1_StatusResponse, StatusResponse__Output as _vfiobroker_v1_StatusResponse__Output } from '../../vfiobroker/v1/StatusResponse.js';
import type { WatchRequest as _vfiobroker_v1_WatchRequest, WatchRequest__Output as _vfiobroker_v1_WatchRequest__Output } from '../../vfiobroker/v1/WatchRequest.js';

export interface BrokerClient extends grpc.Client {
  Acquire(argument: _vfiobroker_v1_AcquireRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _vfiobroker_v1_AcquireRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _vfiobroker_v1_AcquireRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _vfiobroker_v1_AcquireRequest, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _vfiobroker_v1_AcquireRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _vfiobroker_v1_AcquireRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _vfiobroker_v1_AcquireRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _vfiobroker_v1_AcquireRequest, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  
  Bind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _vfiobroker_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _vfiobroker_v1_BindRequest, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _vfiobroker_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _vfiobroker_v1_BindRequest, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  
  CreateClaim(argument: _vfiobroker_v1_CreateClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  CreateClaim(argument: _vfiobroker_v1_CreateClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  CreateClaim(argument: _vfiobroker_v1_CreateClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  CreateClaim(argument: _vfiobroker_v1_CreateClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  createClaim(argument: _vfiobroker_v1_CreateClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  createClaim(argument: _vfiobroker_v1_CreateClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  createClaim(argument: _vfiobroker_v1_CreateClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  createClaim(argument: _vfiobroker_v1_CreateClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_CreateClaimResponse__Output>): grpc.ClientUnaryCall;
  
  CreateMdev(argument: _vfiobroker_v1_CreateMdevRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  CreateMdev(argument: _vfiobroker_v1_CreateMdevRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  CreateMdev(argument: _vfiobroker_v1_CreateMdevRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  CreateMdev(argument: _vfiobroker_v1_CreateMdevRequest, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  createMdev(argument: _vfiobroker_v1_CreateMdevRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  createMdev(argument: _vfiobroker_v1_CreateMdevRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  createMdev(argument: _vfiobroker_v1_CreateMdevRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  createMdev(argument: _vfiobroker_v1_CreateMdevRequest, callback: grpc.requestCallback<_vfiobroker_v1_CreateMdevResponse__Output>): grpc.ClientUnaryCall;
  
  EndClaim(argument: _vfiobroker_v1_EndClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  EndClaim(argument: _vfiobroker_v1_EndClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  EndClaim(argument: _vfiobroker_v1_EndClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  EndClaim(argument: _vfiobroker_v1_EndClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  endClaim(argument: _vfiobroker_v1_EndClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  endClaim(argument: _vfiobroker_v1_EndClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  endClaim(argument: _vfiobroker_v1_EndClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  endClaim(argument: _vfiobroker_v1_EndClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_EndClaimResponse__Output>): grpc.ClientUnaryCall;
  
  GetGroup(argument: _vfiobroker_v1_GetGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  GetGroup(argument: _vfiobroker_v1_GetGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  GetGroup(argument: _vfiobroker_v1_GetGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  GetGroup(argument: _vfiobroker_v1_GetGroupRequest, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  getGroup(argument: _vfiobroker_v1_GetGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  getGroup(argument: _vfiobroker_v1_GetGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  getGroup(argument: _vfiobroker_v1_GetGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  getGroup(argument: _vfiobroker_v1_GetGroupRequest, callback: grpc.requestCallback<_vfiobroker_v1_Group__Output>): grpc.ClientUnaryCall;
  
  Holders(argument: _vfiobroker_v1_HoldersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  Holders(argument: _vfiobroker_v1_HoldersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  Holders(argument: _vfiobroker_v1_HoldersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  Holders(argument: _vfiobroker_v1_HoldersRequest, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  holders(argument: _vfiobroker_v1_HoldersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  holders(argument: _vfiobroker_v1_HoldersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  holders(argument: _vfiobroker_v1_HoldersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  holders(argument: _vfiobroker_v1_HoldersRequest, callback: grpc.requestCallback<_vfiobroker_v1_HoldersResponse__Output>): grpc.ClientUnaryCall;
  
  ListClaims(argument: _vfiobroker_v1_ListClaimsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  ListClaims(argument: _vfiobroker_v1_ListClaimsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  ListClaims(argument: _vfiobroker_v1_ListClaimsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  ListClaims(argument: _vfiobroker_v1_ListClaimsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  listClaims(argument: _vfiobroker_v1_ListClaimsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  listClaims(argument: _vfiobroker_v1_ListClaimsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  listClaims(argument: _vfiobroker_v1_ListClaimsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  listClaims(argument: _vfiobroker_v1_ListClaimsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListClaimsResponse__Output>): grpc.ClientUnaryCall;
  
  ListGrants(argument: _vfiobroker_v1_ListGrantsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  ListGrants(argument: _vfiobroker_v1_ListGrantsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  ListGrants(argument: _vfiobroker_v1_ListGrantsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  ListGrants(argument: _vfiobroker_v1_ListGrantsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  listGrants(argument: _vfiobroker_v1_ListGrantsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  listGrants(argument: _vfiobroker_v1_ListGrantsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  listGrants(argument: _vfiobroker_v1_ListGrantsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  listGrants(argument: _vfiobroker_v1_ListGrantsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListGrantsResponse__Output>): grpc.ClientUnaryCall;
  
  ListGroups(argument: _vfiobroker_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _vfiobroker_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _vfiobroker_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _vfiobroker_v1_ListGroupsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _vfiobroker_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _vfiobroker_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _vfiobroker_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _vfiobroker_v1_ListGroupsRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  ListLeases(argument: _vfiobroker_v1_ListLeasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _vfiobroker_v1_ListLeasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _vfiobroker_v1_ListLeasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _vfiobroker_v1_ListLeasesRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _vfiobroker_v1_ListLeasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _vfiobroker_v1_ListLeasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _vfiobroker_v1_ListLeasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _vfiobroker_v1_ListLeasesRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  
  ListMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  ListMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  ListMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  ListMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  listMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  listMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  listMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  listMdevTypes(argument: _vfiobroker_v1_ListMdevTypesRequest, callback: grpc.requestCallback<_vfiobroker_v1_ListMdevTypesResponse__Output>): grpc.ClientUnaryCall;
  
  OpenDevice(argument: _vfiobroker_v1_OpenDeviceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  OpenDevice(argument: _vfiobroker_v1_OpenDeviceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  OpenDevice(argument: _vfiobroker_v1_OpenDeviceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  OpenDevice(argument: _vfiobroker_v1_OpenDeviceRequest, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  openDevice(argument: _vfiobroker_v1_OpenDeviceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  openDevice(argument: _vfiobroker_v1_OpenDeviceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  openDevice(argument: _vfiobroker_v1_OpenDeviceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  openDevice(argument: _vfiobroker_v1_OpenDeviceRequest, callback: grpc.requestCallback<_vfiobroker_v1_OpenDeviceResponse__Output>): grpc.ClientUnaryCall;
  
  Reattach(argument: _vfiobroker_v1_ReattachRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  Reattach(argument: _vfiobroker_v1_ReattachRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  Reattach(argument: _vfiobroker_v1_ReattachRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  Reattach(argument: _vfiobroker_v1_ReattachRequest, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  reattach(argument: _vfiobroker_v1_ReattachRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  reattach(argument: _vfiobroker_v1_ReattachRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  reattach(argument: _vfiobroker_v1_ReattachRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  reattach(argument: _vfiobroker_v1_ReattachRequest, callback: grpc.requestCallback<_vfiobroker_v1_ReattachResponse__Output>): grpc.ClientUnaryCall;
  
  Redeem(argument: _vfiobroker_v1_RedeemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  Redeem(argument: _vfiobroker_v1_RedeemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  Redeem(argument: _vfiobroker_v1_RedeemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  Redeem(argument: _vfiobroker_v1_RedeemRequest, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  redeem(argument: _vfiobroker_v1_RedeemRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  redeem(argument: _vfiobroker_v1_RedeemRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  redeem(argument: _vfiobroker_v1_RedeemRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  redeem(argument: _vfiobroker_v1_RedeemRequest, callback: grpc.requestCallback<_vfiobroker_v1_RedeemResponse__Output>): grpc.ClientUnaryCall;
  
  RedeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  RedeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  RedeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  RedeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  redeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  redeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  redeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  redeemClaim(argument: _vfiobroker_v1_RedeemClaimRequest, callback: grpc.requestCallback<_vfiobroker_v1_AcquireResponse__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _vfiobroker_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _vfiobroker_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _vfiobroker_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _vfiobroker_v1_ReleaseRequest, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _vfiobroker_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _vfiobroker_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _vfiobroker_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _vfiobroker_v1_ReleaseRequest, callback: grpc.requestCallback<_vfiobroker_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveMdev(argument: _vfiobroker_v1_RemoveMdevRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  RemoveMdev(argument: _vfiobroker_v1_RemoveMdevRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  RemoveMdev(argument: _vfiobroker_v1_RemoveMdevRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  RemoveMdev(argument: _vfiobroker_v1_RemoveMdevRequest, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  removeMdev(argument: _vfiobroker_v1_RemoveMdevRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  removeMdev(argument: _vfiobroker_v1_RemoveMdevRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  removeMdev(argument: _vfiobroker_v1_RemoveMdevRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  removeMdev(argument: _vfiobroker_v1_RemoveMdevRequest, callback: grpc.requestCallback<_vfiobroker_v1_RemoveMdevResponse__Output>): grpc.ClientUnaryCall;
  
  Revoke(argument: _vfiobroker_v1_RevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _vfiobroker_v1_RevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _vfiobroker_v1_RevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _vfiobroker_v1_RevokeRequest, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _vfiobroker_v1_RevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _vfiobroker_v1_RevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _vfiobroker_v1_RevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  revoke(argument: _vfiobroker_v1_RevokeRequest, callback: grpc.requestCallback<_vfiobroker_v1_RevokeResponse__Output>): grpc.ClientUnaryCall;
  
  RevokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  RevokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  RevokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  RevokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  revokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  revokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  revokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  revokeGrant(argument: _vfiobroker_v1_RevokeGrantRequest, callback: grpc.requestCallback<_vfiobroker_v1_RevokeGrantResponse__Output>): grpc.ClientUnaryCall;
  
  SetGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  SetGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  SetGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  SetGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  setGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  setGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  setGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  setGroupType(argument: _vfiobroker_v1_SetGroupTypeRequest, callback: grpc.requestCallback<_vfiobroker_v1_SetGroupTypeResponse__Output>): grpc.ClientUnaryCall;
  
  Share(argument: _vfiobroker_v1_ShareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _vfiobroker_v1_ShareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _vfiobroker_v1_ShareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  Share(argument: _vfiobroker_v1_ShareRequest, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _vfiobroker_v1_ShareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _vfiobroker_v1_ShareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _vfiobroker_v1_ShareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  share(argument: _vfiobroker_v1_ShareRequest, callback: grpc.requestCallback<_vfiobroker_v1_ShareResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _vfiobroker_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vfiobroker_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vfiobroker_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vfiobroker_v1_StatusRequest, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vfiobroker_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vfiobroker_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vfiobroker_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vfiobroker_v1_StatusRequest, callback: grpc.requestCallback<_vfiobroker_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  Unbind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Unbind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Unbind(argument: _vfiobroker_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Unbind(argument: _vfiobroker_v1_BindRequest, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  unbind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  unbind(argument: _vfiobroker_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  unbind(argument: _vfiobroker_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  unbind(argument: _vfiobroker_v1_BindRequest, callback: grpc.requestCallback<_vfiobroker_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _vfiobroker_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vfiobroker_v1_Event__Output>;
  Watch(argument: _vfiobroker_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vfiobroker_v1_Event__Output>;
  watch(argument: _vfiobroker_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vfiobroker_v1_Event__Output>;
  watch(argument: _vfiobroker_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vfiobroker_v1_Event__Output>;
  
}

export interface BrokerHandlers extends grpc.UntypedServiceImplementation {
  Acquire: grpc.handleUnaryCall<_vfiobroker_v1_AcquireRequest__Output, _vfiobroker_v1_AcquireResponse>;
  
  Bind: grpc.handleUnaryCall<_vfiobroker_v1_BindRequest__Output, _vfiobroker_v1_BindResponse>;
  
  CreateClaim: grpc.handleUnaryCall<_vfiobroker_v1_CreateClaimRequest__Output, _vfiobroker_v1_CreateClaimResponse>;
  
  CreateMdev: grpc.handleUnaryCall<_vfiobroker_v1_CreateMdevRequest__Output, _vfiobroker_v1_CreateMdevResponse>;
  
  EndClaim: grpc.handleUnaryCall<_vfiobroker_v1_EndClaimRequest__Output, _vfiobroker_v1_EndClaimResponse>;
  
  GetGroup: grpc.handleUnaryCall<_vfiobroker_v1_GetGroupRequest__Output, _vfiobroker_v1_Group>;
  
  Holders: grpc.handleUnaryCall<_vfiobroker_v1_HoldersRequest__Output, _vfiobroker_v1_HoldersResponse>;
  
  ListClaims: grpc.handleUnaryCall<_vfiobroker_v1_ListClaimsRequest__Output, _vfiobroker_v1_ListClaimsResponse>;
  
  ListGrants: grpc.handleUnaryCall<_vfiobroker_v1_ListGrantsRequest__Output, _vfiobroker_v1_ListGrantsResponse>;
  
  ListGroups: grpc.handleUnaryCall<_vfiobroker_v1_ListGroupsRequest__Output, _vfiobroker_v1_ListGroupsResponse>;
  
  ListLeases: grpc.handleUnaryCall<_vfiobroker_v1_ListLeasesRequest__Output, _vfiobroker_v1_ListLeasesResponse>;
  
  ListMdevTypes: grpc.handleUnaryCall<_vfiobroker_v1_ListMdevTypesRequest__Output, _vfiobroker_v1_ListMdevTypesResponse>;
  
  OpenDevice: grpc.handleUnaryCall<_vfiobroker_v1_OpenDeviceRequest__Output, _vfiobroker_v1_OpenDeviceResponse>;
  
  Reattach: grpc.handleUnaryCall<_vfiobroker_v1_ReattachRequest__Output, _vfiobroker_v1_ReattachResponse>;
  
  Redeem: grpc.handleUnaryCall<_vfiobroker_v1_RedeemRequest__Output, _vfiobroker_v1_RedeemResponse>;
  
  RedeemClaim: grpc.handleUnaryCall<_vfiobroker_v1_RedeemClaimRequest__Output, _vfiobroker_v1_AcquireResponse>;
  
  Release: grpc.handleUnaryCall<_vfiobroker_v1_ReleaseRequest__Output, _vfiobroker_v1_ReleaseResponse>;
  
  RemoveMdev: grpc.handleUnaryCall<_vfiobroker_v1_RemoveMdevRequest__Output, _vfiobroker_v1_RemoveMdevResponse>;
  
  Revoke: grpc.handleUnaryCall<_vfiobroker_v1_RevokeRequest__Output, _vfiobroker_v1_RevokeResponse>;
  
  RevokeGrant: grpc.handleUnaryCall<_vfiobroker_v1_RevokeGrantRequest__Output, _vfiobroker_v1_RevokeGrantResponse>;
  
  SetGroupType: grpc.handleUnaryCall<_vfiobroker_v1_SetGroupTypeRequest__Output, _vfiobroker_v1_SetGroupTypeResponse>;
  
  Share: grpc.handleUnaryCall<_vfiobroker_v1_ShareRequest__Output, _vfiobroker_v1_ShareResponse>;
  
  Status: grpc.handleUnaryCall<_vfiobroker_v1_StatusRequest__Output, _vfiobroker_v1_StatusResponse>;
  
  Unbind: grpc.handleUnaryCall<_vfiobroker_v1_BindRequest__Output, _vfiobroker_v1_BindResponse>;
  
  Watch: grpc.handleServerStreamingCall<_vfiobroker_v1_WatchRequest__Output, _vfiobroker_v1_Event>;
  
}

export interface BrokerDefinition extends grpc.ServiceDefinition {
  Acquire: MethodDefinition<_vfiobroker_v1_AcquireRequest, _vfiobroker_v1_AcquireResponse, _vfiobroker_v1_AcquireRequest__Output, _vfiobroker_v1_AcquireResponse__Output>
  Bind: MethodDefinition<_vfiobroker_v1_BindRequest, _vfiobroker_v1_BindResponse, _vfiobroker_v1_BindRequest__Output, _vfiobroker_v1_BindResponse__Output>
  CreateClaim: MethodDefinition<_vfiobroker_v1_CreateClaimRequest, _vfiobroker_v1_CreateClaimResponse, _vfiobroker_v1_CreateClaimRequest__Output, _vfiobroker_v1_CreateClaimResponse__Output>
  CreateMdev: MethodDefinition<_vfiobroker_v1_CreateMdevRequest, _vfiobroker_v1_CreateMdevResponse, _vfiobroker_v1_CreateMdevRequest__Output, _vfiobroker_v1_CreateMdevResponse__Output>
  EndClaim: MethodDefinition<_vfiobroker_v1_EndClaimRequest, _vfiobroker_v1_EndClaimResponse, _vfiobroker_v1_EndClaimRequest__Output, _vfiobroker_v1_EndClaimResponse__Output>
  GetGroup: MethodDefinition<_vfiobroker_v1_GetGroupRequest, _vfiobroker_v1_Group, _vfiobroker_v1_GetGroupRequest__Output, _vfiobroker_v1_Group__Output>
  Holders: MethodDefinition<_vfiobroker_v1_HoldersRequest, _vfiobroker_v1_HoldersResponse, _vfiobroker_v1_HoldersRequest__Output, _vfiobroker_v1_HoldersResponse__Output>
  ListClaims: MethodDefinition<_vfiobroker_v1_ListClaimsRequest, _vfiobroker_v1_ListClaimsResponse, _vfiobroker_v1_ListClaimsRequest__Output, _vfiobroker_v1_ListClaimsResponse__Output>
  ListGrants: MethodDefinition<_vfiobroker_v1_ListGrantsRequest, _vfiobroker_v1_ListGrantsResponse, _vfiobroker_v1_ListGrantsRequest__Output, _vfiobroker_v1_ListGrantsResponse__Output>
  ListGroups: MethodDefinition<_vfiobroker_v1_ListGroupsRequest, _vfiobroker_v1_ListGroupsResponse, _vfiobroker_v1_ListGroupsRequest__Output, _vfiobroker_v1_ListGroupsResponse__Output>
  ListLeases: MethodDefinition<_vfiobroker_v1_ListLeasesRequest, _vfiobroker_v1_ListLeasesResponse, _vfiobroker_v1_ListLeasesRequest__Output, _vfiobroker_v1_ListLeasesResponse__Output>
  ListMdevTypes: MethodDefinition<_vfiobroker_v1_ListMdevTypesRequest, _vfiobroker_v1_ListMdevTypesResponse, _vfiobroker_v1_ListMdevTypesRequest__Output, _vfiobroker_v1_ListMdevTypesResponse__Output>
  OpenDevice: MethodDefinition<_vfiobroker_v1_OpenDeviceRequest, _vfiobroker_v1_OpenDeviceResponse, _vfiobroker_v1_OpenDeviceRequest__Output, _vfiobroker_v1_OpenDeviceResponse__Output>
  Reattach: MethodDefinition<_vfiobroker_v1_ReattachRequest, _vfiobroker_v1_ReattachResponse, _vfiobroker_v1_ReattachRequest__Output, _vfiobroker_v1_ReattachResponse__Output>
  Redeem: MethodDefinition<_vfiobroker_v1_RedeemRequest, _vfiobroker_v1_RedeemResponse, _vfiobroker_v1_RedeemRequest__Output, _vfiobroker_v1_RedeemResponse__Output>
  RedeemClaim: MethodDefinition<_vfiobroker_v1_RedeemClaimRequest, _vfiobroker_v1_AcquireResponse, _vfiobroker_v1_RedeemClaimRequest__Output, _vfiobroker_v1_AcquireResponse__Output>
  Release: MethodDefinition<_vfiobroker_v1_ReleaseRequest, _vfiobroker_v1_ReleaseResponse, _vfiobroker_v1_ReleaseRequest__Output, _vfiobroker_v1_ReleaseResponse__Output>
  RemoveMdev: MethodDefinition<_vfiobroker_v1_RemoveMdevRequest, _vfiobroker_v1_RemoveMdevResponse, _vfiobroker_v1_RemoveMdevRequest__Output, _vfiobroker_v1_RemoveMdevResponse__Output>
  Revoke: MethodDefinition<_vfiobroker_v1_RevokeRequest, _vfiobroker_v1_RevokeResponse, _vfiobroker_v1_RevokeRequest__Output, _vfiobroker_v1_RevokeResponse__Output>
  RevokeGrant: MethodDefinition<_vfiobroker_v1_RevokeGrantRequest, _vfiobroker_v1_RevokeGrantResponse, _vfiobroker_v1_RevokeGrantRequest__Output, _vfiobroker_v1_RevokeGrantResponse__Output>
  SetGroupType: MethodDefinition<_vfiobroker_v1_SetGroupTypeRequest, _vfiobroker_v1_SetGroupTypeResponse, _vfiobroker_v1_SetGroupTypeRequest__Output, _vfiobroker_v1_SetGroupTypeResponse__Output>
  Share: MethodDefinition<_vfiobroker_v1_ShareRequest, _vfiobroker_v1_ShareResponse, _vfiobroker_v1_ShareRequest__Output, _vfiobroker_v1_ShareResponse__Output>
  Status: MethodDefinition<_vfiobroker_v1_StatusRequest, _vfiobroker_v1_StatusResponse, _vfiobroker_v1_StatusRequest__Output, _vfiobroker_v1_StatusResponse__Output>
  Unbind: MethodDefinition<_vfiobroker_v1_BindRequest, _vfiobroker_v1_BindResponse, _vfiobroker_v1_BindRequest__Output, _vfiobroker_v1_BindResponse__Output>
  Watch: MethodDefinition<_vfiobroker_v1_WatchRequest, _vfiobroker_v1_Event, _vfiobroker_v1_WatchRequest__Output, _vfiobroker_v1_Event__Output>
}
