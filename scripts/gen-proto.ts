/**
 * Regenerate the TypeScript types of the v1 API (src/protocol/gen) from the proto.
 * The options mirror the loader's in src/protocol/proto.ts, so the types describe
 * exactly the objects grpc-js hands us. test/unit/proto-gen.test.ts regenerates into
 * a temporary directory and fails if the committed files differ.
 *
 *   npm run gen:proto
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GEN_DIR = path.join(ROOT, 'src/protocol/gen');

export const GEN_ARGS = [
  '--keepCase', '--longs=String', '--enums=String', '--defaults', '--oneofs', '--grpcLib=@grpc/grpc-js',
  // NodeNext resolution wants explicit extensions on relative imports.
  '--importFileExtension=.js',
  '-I', 'proto',
];

export function genProto(outDir = GEN_DIR): void {
  // Stale files of removed messages must not survive a regeneration.
  fs.rmSync(outDir, { recursive: true, force: true });
  // From the repository root: the tool writes the proto's path, relative to here, into every file.
  execFileSync(path.join(ROOT, 'node_modules/.bin/proto-loader-gen-types'), [...GEN_ARGS, '--outDir', outDir, 'vfiobroker/v1/broker.proto'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) genProto();
