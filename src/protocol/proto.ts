/** Loads the v1 API definition once, for the server, the client library and reflection. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './gen/broker.js';
import { DESCRIPTOR } from './gen/descriptor.js';
import type { BrokerDefinition } from './gen/vfiobroker/v1/Broker.js';

export const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
export const PROTO_FILE = 'vfiobroker/v1/broker.proto';
export const SERVICE_NAME = 'vfiobroker.v1.Broker';

type BrokerConstructor = ProtoGrpcType['vfiobroker']['v1']['Broker'];

let cached: { def: protoLoader.PackageDefinition; service: BrokerDefinition; Client: BrokerConstructor } | undefined;

export function loadApi() {
  if (cached) return cached;
  // These options shape every decoded object: scripts/gen-proto.ts passes the same
  // ones to the type generator, so src/protocol/gen describes what arrives here.
  // Generated from PROTO_FILE (npm run gen:proto): no .proto parsing at start.
  const def = protoLoader.fromJSON(DESCRIPTOR as Parameters<typeof protoLoader.fromJSON>[0], {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  // loadPackageDefinition is untyped; the generated ProtoGrpcType is its shape for this proto.
  const pkg = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  const Client = pkg.vfiobroker.v1.Broker;
  cached = { def, service: Client.service, Client };
  return cached;
}
