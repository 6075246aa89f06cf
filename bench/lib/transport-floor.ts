/**
 * The transport floor for ListGroups: a grpc-js server in its own process
 * answering one unary method with a ready-made body of N bytes, and doing
 * nothing else. What a call to it costs is what moving that many bytes through
 * gRPC over a unix socket costs here, with no broker in the way.
 *
 *   transport-floor.ts '{"bytes":998000}'
 * stdout: {"ready":true,"socket":…}; ends on stdin "quit".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';

const { bytes } = JSON.parse(process.argv[2] ?? '{}') as { bytes: number };
const body = Buffer.alloc(bytes, 7);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-floor-'));
const socket = path.join(dir, 'floor.sock');
const server = new grpc.Server({ 'grpc-node.flow_control_window': 4 << 20 });
const pass = (b: Buffer) => b;
server.addService({
  Blob: { path: '/floor.Floor/Blob', requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
}, { Blob: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, body) });
await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
process.stdout.write(JSON.stringify({ ready: true, socket }) + '\n');
for await (const line of readline.createInterface({ input: process.stdin })) if (line === 'quit') break;
server.forceShutdown();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
