import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcquireRequest as _vfiobroker_v1_AcquireRequest, AcquireRequest__Output as _vfiobroker_v1_AcquireRequest__Output } from './vfiobroker/v1/AcquireRequest.js';
import type { AcquireResponse as _vfiobroker_v1_AcquireResponse, AcquireResponse__Output as _vfiobroker_v1_AcquireResponse__Output } from './vfiobroker/v1/AcquireResponse.js';
import type { BindRequest as _vfiobroker_v1_BindRequest, BindRequest__Output as _vfiobroker_v1_BindRequest__Output } from './vfiobroker/v1/BindRequest.js';
import type { BindResponse as _vfiobroker_v1_BindResponse, BindResponse__Output as _vfiobroker_v1_BindResponse__Output } from './vfiobroker/v1/BindResponse.js';
import type { BrokerClient as _vfiobroker_v1_BrokerClient, BrokerDefinition as _vfiobroker_v1_BrokerDefinition } from './vfiobroker/v1/Broker.js';
import type { Claim as _vfiobroker_v1_Claim, Claim__Output as _vfiobroker_v1_Claim__Output } from './vfiobroker/v1/Claim.js';
import type { CreateClaimRequest as _vfiobroker_v1_CreateClaimRequest, CreateClaimRequest__Output as _vfiobroker_v1_CreateClaimRequest__Output } from './vfiobroker/v1/CreateClaimRequest.js';
import type { CreateClaimResponse as _vfiobroker_v1_CreateClaimResponse, CreateClaimResponse__Output as _vfiobroker_v1_CreateClaimResponse__Output } from './vfiobroker/v1/CreateClaimResponse.js';
import type { CreateMdevRequest as _vfiobroker_v1_CreateMdevRequest, CreateMdevRequest__Output as _vfiobroker_v1_CreateMdevRequest__Output } from './vfiobroker/v1/CreateMdevRequest.js';
import type { CreateMdevResponse as _vfiobroker_v1_CreateMdevResponse, CreateMdevResponse__Output as _vfiobroker_v1_CreateMdevResponse__Output } from './vfiobroker/v1/CreateMdevResponse.js';
import type { Credentials as _vfiobroker_v1_Credentials, Credentials__Output as _vfiobroker_v1_Credentials__Output } from './vfiobroker/v1/Credentials.js';
import type { Delivery as _vfiobroker_v1_Delivery, Delivery__Output as _vfiobroker_v1_Delivery__Output } from './vfiobroker/v1/Delivery.js';
import type { Device as _vfiobroker_v1_Device, Device__Output as _vfiobroker_v1_Device__Output } from './vfiobroker/v1/Device.js';
import type { DeviceBinding as _vfiobroker_v1_DeviceBinding, DeviceBinding__Output as _vfiobroker_v1_DeviceBinding__Output } from './vfiobroker/v1/DeviceBinding.js';
import type { EndClaimRequest as _vfiobroker_v1_EndClaimRequest, EndClaimRequest__Output as _vfiobroker_v1_EndClaimRequest__Output } from './vfiobroker/v1/EndClaimRequest.js';
import type { EndClaimResponse as _vfiobroker_v1_EndClaimResponse, EndClaimResponse__Output as _vfiobroker_v1_EndClaimResponse__Output } from './vfiobroker/v1/EndClaimResponse.js';
import type { Event as _vfiobroker_v1_Event, Event__Output as _vfiobroker_v1_Event__Output } from './vfiobroker/v1/Event.js';
import type { GetGroupRequest as _vfiobroker_v1_GetGroupRequest, GetGroupRequest__Output as _vfiobroker_v1_GetGroupRequest__Output } from './vfiobroker/v1/GetGroupRequest.js';
import type { Grant as _vfiobroker_v1_Grant, Grant__Output as _vfiobroker_v1_Grant__Output } from './vfiobroker/v1/Grant.js';
import type { Group as _vfiobroker_v1_Group, Group__Output as _vfiobroker_v1_Group__Output } from './vfiobroker/v1/Group.js';
import type { Holder as _vfiobroker_v1_Holder, Holder__Output as _vfiobroker_v1_Holder__Output } from './vfiobroker/v1/Holder.js';
import type { HoldersRequest as _vfiobroker_v1_HoldersRequest, HoldersRequest__Output as _vfiobroker_v1_HoldersRequest__Output } from './vfiobroker/v1/HoldersRequest.js';
import type { HoldersResponse as _vfiobroker_v1_HoldersResponse, HoldersResponse__Output as _vfiobroker_v1_HoldersResponse__Output } from './vfiobroker/v1/HoldersResponse.js';
import type { Lease as _vfiobroker_v1_Lease, Lease__Output as _vfiobroker_v1_Lease__Output } from './vfiobroker/v1/Lease.js';
import type { ListClaimsRequest as _vfiobroker_v1_ListClaimsRequest, ListClaimsRequest__Output as _vfiobroker_v1_ListClaimsRequest__Output } from './vfiobroker/v1/ListClaimsRequest.js';
import type { ListClaimsResponse as _vfiobroker_v1_ListClaimsResponse, ListClaimsResponse__Output as _vfiobroker_v1_ListClaimsResponse__Output } from './vfiobroker/v1/ListClaimsResponse.js';
import type { ListGrantsRequest as _vfiobroker_v1_ListGrantsRequest, ListGrantsRequest__Output as _vfiobroker_v1_ListGrantsRequest__Output } from './vfiobroker/v1/ListGrantsRequest.js';
import type { ListGrantsResponse as _vfiobroker_v1_ListGrantsResponse, ListGrantsResponse__Output as _vfiobroker_v1_ListGrantsResponse__Output } from './vfiobroker/v1/ListGrantsResponse.js';
import type { ListGroupsRequest as _vfiobroker_v1_ListGroupsRequest, ListGroupsRequest__Output as _vfiobroker_v1_ListGroupsRequest__Output } from './vfiobroker/v1/ListGroupsRequest.js';
import type { ListGroupsResponse as _vfiobroker_v1_ListGroupsResponse, ListGroupsResponse__Output as _vfiobroker_v1_ListGroupsResponse__Output } from './vfiobroker/v1/ListGroupsResponse.js';
import type { ListLeasesRequest as _vfiobroker_v1_ListLeasesRequest, ListLeasesRequest__Output as _vfiobroker_v1_ListLeasesRequest__Output } from './vfiobroker/v1/ListLeasesRequest.js';
import type { ListLeasesResponse as _vfiobroker_v1_ListLeasesResponse, ListLeasesResponse__Output as _vfiobroker_v1_ListLeasesResponse__Output } from './vfiobroker/v1/ListLeasesResponse.js';
import type { ListMdevTypesRequest as _vfiobroker_v1_ListMdevTypesRequest, ListMdevTypesRequest__Output as _vfiobroker_v1_ListMdevTypesRequest__Output } from './vfiobroker/v1/ListMdevTypesRequest.js';
import type { ListMdevTypesResponse as _vfiobroker_v1_ListMdevTypesResponse, ListMdevTypesResponse__Output as _vfiobroker_v1_ListMdevTypesResponse__Output } from './vfiobroker/v1/ListMdevTypesResponse.js';
import type { MdevInstance as _vfiobroker_v1_MdevInstance, MdevInstance__Output as _vfiobroker_v1_MdevInstance__Output } from './vfiobroker/v1/MdevInstance.js';
import type { MdevParent as _vfiobroker_v1_MdevParent, MdevParent__Output as _vfiobroker_v1_MdevParent__Output } from './vfiobroker/v1/MdevParent.js';
import type { MdevType as _vfiobroker_v1_MdevType, MdevType__Output as _vfiobroker_v1_MdevType__Output } from './vfiobroker/v1/MdevType.js';
import type { OpenDeviceRequest as _vfiobroker_v1_OpenDeviceRequest, OpenDeviceRequest__Output as _vfiobroker_v1_OpenDeviceRequest__Output } from './vfiobroker/v1/OpenDeviceRequest.js';
import type { OpenDeviceResponse as _vfiobroker_v1_OpenDeviceResponse, OpenDeviceResponse__Output as _vfiobroker_v1_OpenDeviceResponse__Output } from './vfiobroker/v1/OpenDeviceResponse.js';
import type { Owner as _vfiobroker_v1_Owner, Owner__Output as _vfiobroker_v1_Owner__Output } from './vfiobroker/v1/Owner.js';
import type { ReattachRequest as _vfiobroker_v1_ReattachRequest, ReattachRequest__Output as _vfiobroker_v1_ReattachRequest__Output } from './vfiobroker/v1/ReattachRequest.js';
import type { ReattachResponse as _vfiobroker_v1_ReattachResponse, ReattachResponse__Output as _vfiobroker_v1_ReattachResponse__Output } from './vfiobroker/v1/ReattachResponse.js';
import type { RedeemClaimRequest as _vfiobroker_v1_RedeemClaimRequest, RedeemClaimRequest__Output as _vfiobroker_v1_RedeemClaimRequest__Output } from './vfiobroker/v1/RedeemClaimRequest.js';
import type { RedeemRequest as _vfiobroker_v1_RedeemRequest, RedeemRequest__Output as _vfiobroker_v1_RedeemRequest__Output } from './vfiobroker/v1/RedeemRequest.js';
import type { RedeemResponse as _vfiobroker_v1_RedeemResponse, RedeemResponse__Output as _vfiobroker_v1_RedeemResponse__Output } from './vfiobroker/v1/RedeemResponse.js';
import type { ReleaseRequest as _vfiobroker_v1_ReleaseRequest, ReleaseRequest__Output as _vfiobroker_v1_ReleaseRequest__Output } from './vfiobroker/v1/ReleaseRequest.js';
import type { ReleaseResponse as _vfiobroker_v1_ReleaseResponse, ReleaseResponse__Output as _vfiobroker_v1_ReleaseResponse__Output } from './vfiobroker/v1/ReleaseResponse.js';
import type { RemoveMdevRequest as _vfiobroker_v1_RemoveMdevRequest, RemoveMdevRequest__Output as _vfiobroker_v1_RemoveMdevRequest__Output } from './vfiobroker/v1/RemoveMdevRequest.js';
import type { RemoveMdevResponse as _vfiobroker_v1_RemoveMdevResponse, RemoveMdevResponse__Output as _vfiobroker_v1_RemoveMdevResponse__Output } from './vfiobroker/v1/RemoveMdevResponse.js';
import type { ReservedRegion as _vfiobroker_v1_ReservedRegion, ReservedRegion__Output as _vfiobroker_v1_ReservedRegion__Output } from './vfiobroker/v1/ReservedRegion.js';
import type { RevokeGrantRequest as _vfiobroker_v1_RevokeGrantRequest, RevokeGrantRequest__Output as _vfiobroker_v1_RevokeGrantRequest__Output } from './vfiobroker/v1/RevokeGrantRequest.js';
import type { RevokeGrantResponse as _vfiobroker_v1_RevokeGrantResponse, RevokeGrantResponse__Output as _vfiobroker_v1_RevokeGrantResponse__Output } from './vfiobroker/v1/RevokeGrantResponse.js';
import type { RevokeRequest as _vfiobroker_v1_RevokeRequest, RevokeRequest__Output as _vfiobroker_v1_RevokeRequest__Output } from './vfiobroker/v1/RevokeRequest.js';
import type { RevokeResponse as _vfiobroker_v1_RevokeResponse, RevokeResponse__Output as _vfiobroker_v1_RevokeResponse__Output } from './vfiobroker/v1/RevokeResponse.js';
import type { Session as _vfiobroker_v1_Session, Session__Output as _vfiobroker_v1_Session__Output } from './vfiobroker/v1/Session.js';
import type { SetGroupTypeRequest as _vfiobroker_v1_SetGroupTypeRequest, SetGroupTypeRequest__Output as _vfiobroker_v1_SetGroupTypeRequest__Output } from './vfiobroker/v1/SetGroupTypeRequest.js';
import type { SetGroupTypeResponse as _vfiobroker_v1_SetGroupTypeResponse, SetGroupTypeResponse__Output as _vfiobroker_v1_SetGroupTypeResponse__Output } from './vfiobroker/v1/SetGroupTypeResponse.js';
import type { ShareRequest as _vfiobroker_v1_ShareRequest, ShareRequest__Output as _vfiobroker_v1_ShareRequest__Output } from './vfiobroker/v1/ShareRequest.js';
import type { ShareResponse as _vfiobroker_v1_ShareResponse, ShareResponse__Output as _vfiobroker_v1_ShareResponse__Output } from './vfiobroker/v1/ShareResponse.js';
import type { StatusRequest as _vfiobroker_v1_StatusRequest, StatusRequest__Output as _vfiobroker_v1_StatusRequest__Output } from './vfiobroker/v1/StatusRequest.js';
import type { StatusResponse as _vfiobroker_v1_StatusResponse, StatusResponse__Output as _vfiobroker_v1_StatusResponse__Output } from './vfiobroker/v1/StatusResponse.js';
import type { WatchRequest as _vfiobroker_v1_WatchRequest, WatchRequest__Output as _vfiobroker_v1_WatchRequest__Output } from './vfiobroker/v1/WatchRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vfiobroker: {
    v1: {
      AcquireRequest: MessageTypeDefinition<_vfiobroker_v1_AcquireRequest, _vfiobroker_v1_AcquireRequest__Output>
      AcquireResponse: MessageTypeDefinition<_vfiobroker_v1_AcquireResponse, _vfiobroker_v1_AcquireResponse__Output>
      BindRequest: MessageTypeDefinition<_vfiobroker_v1_BindRequest, _vfiobroker_v1_BindRequest__Output>
      BindResponse: MessageTypeDefinition<_vfiobroker_v1_BindResponse, _vfiobroker_v1_BindResponse__Output>
      Broker: SubtypeConstructor<typeof grpc.Client, _vfiobroker_v1_BrokerClient> & { service: _vfiobroker_v1_BrokerDefinition }
      Claim: MessageTypeDefinition<_vfiobroker_v1_Claim, _vfiobroker_v1_Claim__Output>
      CreateClaimRequest: MessageTypeDefinition<_vfiobroker_v1_CreateClaimRequest, _vfiobroker_v1_CreateClaimRequest__Output>
      CreateClaimResponse: MessageTypeDefinition<_vfiobroker_v1_CreateClaimResponse, _vfiobroker_v1_CreateClaimResponse__Output>
      CreateMdevRequest: MessageTypeDefinition<_vfiobroker_v1_CreateMdevRequest, _vfiobroker_v1_CreateMdevRequest__Output>
      CreateMdevResponse: MessageTypeDefinition<_vfiobroker_v1_CreateMdevResponse, _vfiobroker_v1_CreateMdevResponse__Output>
      Credentials: MessageTypeDefinition<_vfiobroker_v1_Credentials, _vfiobroker_v1_Credentials__Output>
      Delivery: MessageTypeDefinition<_vfiobroker_v1_Delivery, _vfiobroker_v1_Delivery__Output>
      Device: MessageTypeDefinition<_vfiobroker_v1_Device, _vfiobroker_v1_Device__Output>
      DeviceBinding: MessageTypeDefinition<_vfiobroker_v1_DeviceBinding, _vfiobroker_v1_DeviceBinding__Output>
      EndClaimRequest: MessageTypeDefinition<_vfiobroker_v1_EndClaimRequest, _vfiobroker_v1_EndClaimRequest__Output>
      EndClaimResponse: MessageTypeDefinition<_vfiobroker_v1_EndClaimResponse, _vfiobroker_v1_EndClaimResponse__Output>
      Event: MessageTypeDefinition<_vfiobroker_v1_Event, _vfiobroker_v1_Event__Output>
      GetGroupRequest: MessageTypeDefinition<_vfiobroker_v1_GetGroupRequest, _vfiobroker_v1_GetGroupRequest__Output>
      Grant: MessageTypeDefinition<_vfiobroker_v1_Grant, _vfiobroker_v1_Grant__Output>
      Group: MessageTypeDefinition<_vfiobroker_v1_Group, _vfiobroker_v1_Group__Output>
      Holder: MessageTypeDefinition<_vfiobroker_v1_Holder, _vfiobroker_v1_Holder__Output>
      HoldersRequest: MessageTypeDefinition<_vfiobroker_v1_HoldersRequest, _vfiobroker_v1_HoldersRequest__Output>
      HoldersResponse: MessageTypeDefinition<_vfiobroker_v1_HoldersResponse, _vfiobroker_v1_HoldersResponse__Output>
      Lease: MessageTypeDefinition<_vfiobroker_v1_Lease, _vfiobroker_v1_Lease__Output>
      ListClaimsRequest: MessageTypeDefinition<_vfiobroker_v1_ListClaimsRequest, _vfiobroker_v1_ListClaimsRequest__Output>
      ListClaimsResponse: MessageTypeDefinition<_vfiobroker_v1_ListClaimsResponse, _vfiobroker_v1_ListClaimsResponse__Output>
      ListGrantsRequest: MessageTypeDefinition<_vfiobroker_v1_ListGrantsRequest, _vfiobroker_v1_ListGrantsRequest__Output>
      ListGrantsResponse: MessageTypeDefinition<_vfiobroker_v1_ListGrantsResponse, _vfiobroker_v1_ListGrantsResponse__Output>
      ListGroupsRequest: MessageTypeDefinition<_vfiobroker_v1_ListGroupsRequest, _vfiobroker_v1_ListGroupsRequest__Output>
      ListGroupsResponse: MessageTypeDefinition<_vfiobroker_v1_ListGroupsResponse, _vfiobroker_v1_ListGroupsResponse__Output>
      ListLeasesRequest: MessageTypeDefinition<_vfiobroker_v1_ListLeasesRequest, _vfiobroker_v1_ListLeasesRequest__Output>
      ListLeasesResponse: MessageTypeDefinition<_vfiobroker_v1_ListLeasesResponse, _vfiobroker_v1_ListLeasesResponse__Output>
      ListMdevTypesRequest: MessageTypeDefinition<_vfiobroker_v1_ListMdevTypesRequest, _vfiobroker_v1_ListMdevTypesRequest__Output>
      ListMdevTypesResponse: MessageTypeDefinition<_vfiobroker_v1_ListMdevTypesResponse, _vfiobroker_v1_ListMdevTypesResponse__Output>
      MdevInstance: MessageTypeDefinition<_vfiobroker_v1_MdevInstance, _vfiobroker_v1_MdevInstance__Output>
      MdevParent: MessageTypeDefinition<_vfiobroker_v1_MdevParent, _vfiobroker_v1_MdevParent__Output>
      MdevType: MessageTypeDefinition<_vfiobroker_v1_MdevType, _vfiobroker_v1_MdevType__Output>
      Mode: EnumTypeDefinition
      OpenDeviceRequest: MessageTypeDefinition<_vfiobroker_v1_OpenDeviceRequest, _vfiobroker_v1_OpenDeviceRequest__Output>
      OpenDeviceResponse: MessageTypeDefinition<_vfiobroker_v1_OpenDeviceResponse, _vfiobroker_v1_OpenDeviceResponse__Output>
      Owner: MessageTypeDefinition<_vfiobroker_v1_Owner, _vfiobroker_v1_Owner__Output>
      ReattachRequest: MessageTypeDefinition<_vfiobroker_v1_ReattachRequest, _vfiobroker_v1_ReattachRequest__Output>
      ReattachResponse: MessageTypeDefinition<_vfiobroker_v1_ReattachResponse, _vfiobroker_v1_ReattachResponse__Output>
      RedeemClaimRequest: MessageTypeDefinition<_vfiobroker_v1_RedeemClaimRequest, _vfiobroker_v1_RedeemClaimRequest__Output>
      RedeemRequest: MessageTypeDefinition<_vfiobroker_v1_RedeemRequest, _vfiobroker_v1_RedeemRequest__Output>
      RedeemResponse: MessageTypeDefinition<_vfiobroker_v1_RedeemResponse, _vfiobroker_v1_RedeemResponse__Output>
      ReleaseRequest: MessageTypeDefinition<_vfiobroker_v1_ReleaseRequest, _vfiobroker_v1_ReleaseRequest__Output>
      ReleaseResponse: MessageTypeDefinition<_vfiobroker_v1_ReleaseResponse, _vfiobroker_v1_ReleaseResponse__Output>
      RemoveMdevRequest: MessageTypeDefinition<_vfiobroker_v1_RemoveMdevRequest, _vfiobroker_v1_RemoveMdevRequest__Output>
      RemoveMdevResponse: MessageTypeDefinition<_vfiobroker_v1_RemoveMdevResponse, _vfiobroker_v1_RemoveMdevResponse__Output>
      ReservedRegion: MessageTypeDefinition<_vfiobroker_v1_ReservedRegion, _vfiobroker_v1_ReservedRegion__Output>
      RevokeGrantRequest: MessageTypeDefinition<_vfiobroker_v1_RevokeGrantRequest, _vfiobroker_v1_RevokeGrantRequest__Output>
      RevokeGrantResponse: MessageTypeDefinition<_vfiobroker_v1_RevokeGrantResponse, _vfiobroker_v1_RevokeGrantResponse__Output>
      RevokeRequest: MessageTypeDefinition<_vfiobroker_v1_RevokeRequest, _vfiobroker_v1_RevokeRequest__Output>
      RevokeResponse: MessageTypeDefinition<_vfiobroker_v1_RevokeResponse, _vfiobroker_v1_RevokeResponse__Output>
      Session: MessageTypeDefinition<_vfiobroker_v1_Session, _vfiobroker_v1_Session__Output>
      SetGroupTypeRequest: MessageTypeDefinition<_vfiobroker_v1_SetGroupTypeRequest, _vfiobroker_v1_SetGroupTypeRequest__Output>
      SetGroupTypeResponse: MessageTypeDefinition<_vfiobroker_v1_SetGroupTypeResponse, _vfiobroker_v1_SetGroupTypeResponse__Output>
      ShareRequest: MessageTypeDefinition<_vfiobroker_v1_ShareRequest, _vfiobroker_v1_ShareRequest__Output>
      ShareResponse: MessageTypeDefinition<_vfiobroker_v1_ShareResponse, _vfiobroker_v1_ShareResponse__Output>
      StatusRequest: MessageTypeDefinition<_vfiobroker_v1_StatusRequest, _vfiobroker_v1_StatusRequest__Output>
      StatusResponse: MessageTypeDefinition<_vfiobroker_v1_StatusResponse, _vfiobroker_v1_StatusResponse__Output>
      WatchRequest: MessageTypeDefinition<_vfiobroker_v1_WatchRequest, _vfiobroker_v1_WatchRequest__Output>
    }
  }
}

