/**
 * The kubelet's side of the conversation: the device plugin API (v1beta1) and the
 * PodResources API (v1), loaded from the protos copied verbatim into proto/k8s.
 * Only the messages this plugin sends or reads are typed here; the names are the
 * protos' own (keepCase), so `ID`, `deviceIDs` and `devices_ids` are spelt as the
 * kubelet spells them.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT } from '../protocol/proto.js';

export const API_VERSION = 'v1beta1';
export const HEALTHY = 'Healthy';
export const UNHEALTHY = 'Unhealthy';
export const DEFAULT_DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins';
export const DEFAULT_POD_RESOURCES_SOCKET = '/var/lib/kubelet/pod-resources/kubelet.sock';
export const KUBELET_SOCKET_NAME = 'kubelet.sock';

export interface NUMANode { ID: string | number }
export interface TopologyInfo { nodes: NUMANode[] }
export interface PluginDevice { ID: string; health: string; topology?: TopologyInfo | null }
export interface DevicePluginOptions { pre_start_required: boolean; get_preferred_allocation_available: boolean }
export interface RegisterRequest { version: string; endpoint: string; resource_name: string; options: DevicePluginOptions }
export interface ListAndWatchResponse { devices: PluginDevice[] }
export interface ContainerPreferredAllocationRequest { available_deviceIDs: string[]; must_include_deviceIDs: string[]; allocation_size: number }
export interface PreferredAllocationRequest { container_requests: ContainerPreferredAllocationRequest[] }
export interface PreferredAllocationResponse { container_responses: { deviceIDs: string[] }[] }
export interface AllocateRequest { container_requests: { devices_ids: string[] }[] }
export interface Mount { container_path: string; host_path: string; read_only: boolean }
export interface DeviceSpec { container_path: string; host_path: string; permissions: string }
export interface ContainerAllocateResponse {
  envs: Record<string, string>;
  mounts: Mount[];
  devices: DeviceSpec[];
  annotations: Record<string, string>;
  cdi_devices: { name: string }[];
}
export interface AllocateResponse { container_responses: ContainerAllocateResponse[] }
export interface ContainerDevices { resource_name: string; device_ids: string[] }
export interface ListPodResourcesResponse {
  pod_resources: { name: string; namespace: string; containers: { name: string; devices: ContainerDevices[] }[] }[];
}

/** A service's definition and client constructor, as grpc.loadPackageDefinition gives them. */
export interface LoadedService {
  service: grpc.ServiceDefinition;
  Client: grpc.ServiceClientConstructor;
}

let cached: { registration: LoadedService; devicePlugin: LoadedService; podResources: LoadedService } | undefined;

export function loadKubeletApi() {
  if (cached) return cached;
  const opts: protoLoader.Options = { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
  const dp = grpc.loadPackageDefinition(protoLoader.loadSync('k8s/deviceplugin/v1beta1/api.proto', opts));
  const pr = grpc.loadPackageDefinition(protoLoader.loadSync('k8s/podresources/v1/api.proto', opts));
  const svc = (ns: grpc.GrpcObject, name: string): LoadedService => {
    const Client = (ns[name] as grpc.ServiceClientConstructor);
    return { service: Client.service, Client };
  };
  cached = {
    registration: svc(dp.v1beta1 as grpc.GrpcObject, 'Registration'),
    devicePlugin: svc(dp.v1beta1 as grpc.GrpcObject, 'DevicePlugin'),
    podResources: svc(pr.v1 as grpc.GrpcObject, 'PodResourcesLister'),
  };
  return cached;
}

/** A unary call on a dynamically loaded client, as a promise. */
export function unary<Req, Res>(client: grpc.Client, method: string, req: Req, deadlineMs = 10_000): Promise<Res> {
  const fn = (client as unknown as Record<string, (r: Req, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void>)[method];
  return new Promise((resolve, reject) => {
    fn.call(client, req, { deadline: new Date(Date.now() + deadlineMs) }, (e, r) => (e ? reject(e) : resolve(r!)));
  });
}
