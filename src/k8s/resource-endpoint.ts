/**
 * One resource's device plugin endpoint: the DevicePlugin gRPC service on a socket
 * in the kubelet's device plugin directory, its registration with the kubelet, and
 * the ListAndWatch streams it keeps current.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AllocationError } from './allocation.js';
import { toPluginDevices, type OfferedDevice } from './device-list.js';
import {
  API_VERSION, KUBELET_SOCKET_NAME, loadKubeletApi, unary,
  type AllocateRequest, type AllocateResponse, type DevicePluginOptions, type ListAndWatchResponse,
  type PreferredAllocationRequest, type PreferredAllocationResponse, type RegisterRequest,
} from './kubelet-api.js';
import { preferredAllocation } from './preferred.js';
import type { ResourceConfig } from './plugin-config.js';

export const OPTIONS: DevicePluginOptions = { pre_start_required: false, get_preferred_allocation_available: true };

export interface EndpointDeps {
  dir: string;
  devices(): OfferedDevice[];
  allocate(req: AllocateRequest): Promise<AllocateResponse>;
  log: { info(msg: string): void; warn(msg: string): void };
}

/** The socket's file name: the resource name made path-safe (vfio-broker.io/edu → vfio-broker-vfio-broker.io_edu.sock). */
export function endpointName(resource: string): string {
  return `vfio-broker-${resource.replace(/[^A-Za-z0-9.-]/g, '_')}.sock`;
}

export class ResourceEndpoint {
  readonly socketPath: string;
  /** Inode of the kubelet.sock we last registered with; a new inode means a restarted kubelet. */
  registeredWith: number | null = null;
  #server: grpc.Server | undefined;
  #inode: number | null = null;
  #streams = new Set<grpc.ServerWritableStream<object, ListAndWatchResponse>>();

  constructor(readonly resource: ResourceConfig, private readonly deps: EndpointDeps) {
    this.socketPath = path.join(deps.dir, endpointName(resource.name));
  }

  /** (Re)start serving on a fresh socket. */
  async serve(): Promise<void> {
    this.#shutdown();
    fs.rmSync(this.socketPath, { force: true });
    const server = new grpc.Server();
    server.addService(loadKubeletApi().devicePlugin.service, this.#handlers());
    await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    this.#server = server;
    this.#inode = fs.statSync(this.socketPath).ino;
    this.registeredWith = null;
  }

  /** False once the kubelet (or anyone) removed or replaced our socket. */
  socketPresent(): boolean {
    try {
      return this.#inode !== null && fs.statSync(this.socketPath).ino === this.#inode;
    } catch {
      return false;
    }
  }

  async register(kubeletInode: number): Promise<void> {
    const { registration } = loadKubeletApi();
    const client = new registration.Client(`unix:${path.join(this.deps.dir, KUBELET_SOCKET_NAME)}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    try {
      const req: RegisterRequest = { version: API_VERSION, endpoint: path.basename(this.socketPath), resource_name: this.resource.name, options: OPTIONS };
      await unary(client, 'Register', req);
      this.registeredWith = kubeletInode;
    } finally {
      client.close();
    }
  }

  /** Send the current list to every ListAndWatch stream. */
  update(): void {
    const msg: ListAndWatchResponse = { devices: toPluginDevices(this.deps.devices()) };
    for (const s of this.#streams) s.write(msg);
  }

  stop(): void {
    this.#shutdown();
    if (this.#inode !== null && this.socketPresent()) fs.rmSync(this.socketPath, { force: true });
    this.#inode = null;
  }

  #shutdown(): void {
    for (const s of this.#streams) s.end();
    this.#streams.clear();
    this.#server?.forceShutdown();
    this.#server = undefined;
  }

  #handlers(): grpc.UntypedServiceImplementation {
    const { log } = this.deps;
    return {
      GetDevicePluginOptions: (_call: grpc.ServerUnaryCall<object, DevicePluginOptions>, cb: grpc.sendUnaryData<DevicePluginOptions>) => cb(null, OPTIONS),
      ListAndWatch: (call: grpc.ServerWritableStream<object, ListAndWatchResponse>) => {
        this.#streams.add(call);
        const drop = () => this.#streams.delete(call);
        call.on('cancelled', drop);
        call.on('close', drop);
        call.on('error', drop);
        call.write({ devices: toPluginDevices(this.deps.devices()) });
      },
      GetPreferredAllocation: (call: grpc.ServerUnaryCall<PreferredAllocationRequest, PreferredAllocationResponse>, cb: grpc.sendUnaryData<PreferredAllocationResponse>) => {
        const numa = new Map(this.deps.devices().map((d) => [d.id, d.numaNode]));
        cb(null, {
          container_responses: call.request.container_requests.map((r) => ({
            deviceIDs: preferredAllocation(r.available_deviceIDs, r.must_include_deviceIDs, r.allocation_size, (id) => numa.get(id) ?? -1),
          })),
        });
      },
      Allocate: (call: grpc.ServerUnaryCall<AllocateRequest, AllocateResponse>, cb: grpc.sendUnaryData<AllocateResponse>) => {
        this.deps.allocate(call.request).then((res) => cb(null, res), (e: Error & { code?: number }) => {
          log.warn(`Allocate ${this.resource.name} ${JSON.stringify(call.request.container_requests.map((c) => c.devices_ids))} failed: ${e.message}`);
          const code = e instanceof AllocationError ? grpc.status.INVALID_ARGUMENT : typeof e.code === 'number' ? e.code : grpc.status.INTERNAL;
          cb({ code, details: e.message });
        });
      },
      PreStartContainer: (_call: grpc.ServerUnaryCall<object, object>, cb: grpc.sendUnaryData<object>) => cb(null, {}),
    };
  }
}
