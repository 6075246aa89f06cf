#!/usr/bin/env node
/**
 * One file per program: bin/* start from these bundles, so node reads and
 * compiles one module instead of resolving several hundred (the difference is
 * most of a command's start-up, and under the test guest's TCG it is seconds).
 *
 *   node scripts/bundle.mjs [DIST]           the programs, into DIST/bundle (default dist)
 *   node scripts/bundle.mjs --tests OUT      the test guest's client fixtures, into OUT
 *
 * The bundles sit two levels below the package root, as dist/<dir>/<file>.js
 * does, so src/protocol/proto.ts finds ../../proto from either; the binding
 * child and the scan worker sit beside the daemon, where binding-runner.ts and
 * full-scan.ts look for them. koffi stays outside: it loads a native module.
 */
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const PROGRAMS = {
  'vfio-brokerd': 'src/daemon/main.ts',
  'vfio-brokerctl': 'src/cli/brokerctl.ts',
  'vfio-broker-exec': 'src/cli/broker-exec.ts',
  'vfio-broker-device-plugin': 'src/k8s/main.ts',
  'binding-child': 'src/kernel/binding-child.ts',
  'scan-worker': 'src/kernel/sysfs/scan-worker.ts',
};

/** The fixtures the guest suites start as separate processes, many times each. */
const TEST_PROGRAMS = ['client-run', 'race-client', 'hold-device', 'exec-child', 'pod-workload']
  .map((n) => [n, `test/fixtures/${n}.ts`]);

/** The dependencies' own .proto files, where the banner's __dirname makes them look. */
const PROTOS = [
  ['node_modules/@grpc/reflection/build/proto/grpc', 'proto/grpc'],
  ['node_modules/@grpc/grpc-js/proto/channelz.proto', 'proto/channelz.proto'],
];

export async function bundle(entries, outdir) {
  fs.mkdirSync(outdir, { recursive: true });
  for (const [from, to] of PROTOS) fs.cpSync(path.join(REPO, from), path.join(outdir, to), { recursive: true });
  await build({
    entryPoints: entries.map(([out, src]) => ({ out, in: path.join(REPO, src) })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    // CommonJS dependencies (grpc-js, protobufjs) call require() for node's own
    // modules, and two read .proto files at `${__dirname}/../../proto`
    // (@grpc/reflection's, and grpc-js's channelz): one __dirname for the whole
    // bundle, under which PROTOS below puts those files.
    banner: { js: [
      "import { createRequire as __vfioBrokerRequire } from 'node:module';",
      "import { fileURLToPath as __vfioBrokerPath } from 'node:url';",
      'const require = __vfioBrokerRequire(import.meta.url);',
      "const __filename = __vfioBrokerPath(import.meta.url);",
      "const __dirname = __vfioBrokerPath(new URL('./proto/grpc', import.meta.url));",
    ].join(' ') },
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  if (args[0] === '--tests') await bundle(TEST_PROGRAMS, path.resolve(args[1]));
  else await bundle(Object.entries(PROGRAMS), path.join(path.resolve(args[0] ?? path.join(REPO, 'dist')), 'bundle'));
}
