/**
 * A full sysfs scan off the event loop: a worker thread does the synchronous
 * reads (scan-worker.ts) and hands the groups back in chunks. Measured against
 * fs.promises in slices (README, Performance): the worker is simpler (it reuses
 * SysfsInventory as is) and faster, since ~120,000 small reads cost a libuv
 * round trip and a promise each when done asynchronously.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GroupInfo } from './inventory.js';

const here = import.meta.url;
// The worker runs whichever form this module runs as: .ts from sources, .js built.
const entry = new URL(`./scan-worker${path.extname(fileURLToPath(here))}`, here).href;
// From sources, the worker may need a TypeScript loader of its own (dev-loader.ts,
// which is not part of the build: the specifier is computed so the compiler does
// not pull it in). Built, it needs none.
const devLoader: Promise<string | null> = here.endsWith('.ts')
  ? import(new URL('./dev-loader.ts', here).href).then((m: { loaderUrl(): string | null }) => m.loaderUrl())
  : Promise.resolve(null);

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  try {
    await import(workerData.entry);
  } catch (e) {
    // Node 20 cannot load .ts at all; Node 24 strips types but cannot resolve our .js specifiers.
    if (!workerData.loader || !e || (e.code !== 'ERR_UNKNOWN_FILE_EXTENSION' && e.code !== 'ERR_MODULE_NOT_FOUND')) throw e;
    (await import(workerData.loader)).register();
    // A fresh URL: the failed load above stays cached under the plain one.
    await import(workerData.entry + '?loaded');
  }
})();
`;

/** Read every group under `root`; `onChunk` gets them in id order, one chunk per event-loop turn. */
export async function fullScan(root: string, onChunk: (groups: GroupInfo[]) => void, chunk = 128): Promise<void> {
  const loader = await devLoader;
  const ack = new SharedArrayBuffer(4);
  const acked = new Int32Array(ack);
  return new Promise((resolve, reject) => {
    let settled = false;
    const w = new Worker(BOOT, { eval: true, workerData: { entry, loader, root, chunk, ack } });
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      void w.terminate();
      reject(e);
    };
    w.on('message', (m: { groups: GroupInfo[]; done: boolean; seq: number }) => {
      if (settled) return;
      try {
        onChunk(m.groups);
      } catch (e) {
        fail(e as Error);
        return;
      }
      Atomics.store(acked, 0, m.seq);
      Atomics.notify(acked, 0);
      if (m.done) {
        settled = true;
        resolve();
      }
    });
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`inventory scan worker exited (${code}) before finishing`)));
  });
}
