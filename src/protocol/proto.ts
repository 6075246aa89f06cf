/** Loads the v1 API definition once, for the server, the client library and reflection. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
export const PROTO_FILE = 'vfiobroker/v1/broker.proto';
export const SERVICE_NAME = 'vfiobroker.v1.Broker';

let cached: { def: protoLoader.PackageDefinition; service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } | undefined;

export function loadApi() {
  if (cached) return cached;
  const def = protoLoader.loadSync(PROTO_FILE, {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { vfiobroker: { v1: { Broker: grpc.ServiceClientConstructor } } };
  const Client = pkg.vfiobroker.v1.Broker;
  cached = { def, service: Client.service, Client };
  return cached;
}
