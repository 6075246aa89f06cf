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
// The worker runs whichever form this module runs as: .ts under tsx, .js built.
const entry = new URL(`./scan-worker${path.extname(fileURLToPath(here))}`, here).href;
// Loader hooks installed by tsx's register() (bin/vfio-brokerd) do not reach a
// worker; `--import tsx` does (execArgv is inherited). The worker tries plain
// import first and registers tsx itself only if .ts is not understood.
const tsx = here.endsWith('.ts') ? resolveTsx() : null;

function resolveTsx(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  try {
    await import(workerData.entry);
  } catch (e) {
    if (!workerData.tsx || !e || e.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    (await import(workerData.tsx)).register();
    // A fresh URL: the failed load above stays cached under the plain one.
    await import(workerData.entry + '?tsx');
  }
})();
`;

/** Read every group under `root`; `onChunk` gets them in id order, one chunk per event-loop turn. */
export function fullScan(root: string, onChunk: (groups: GroupInfo[]) => void, chunk = 128): Promise<void> {
  const ack = new SharedArrayBuffer(4);
  const acked = new Int32Array(ack);
  return new Promise((resolve, reject) => {
    let settled = false;
    const w = new Worker(BOOT, { eval: true, workerData: { entry, tsx, root, chunk, ack } });
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
