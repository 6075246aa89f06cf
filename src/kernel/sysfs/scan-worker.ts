/**
 * The worker side of full-scan.ts: the synchronous sysfs reads of a full scan,
 * on a thread of their own, posted back in chunks. At most one chunk is in
 * flight: the main thread applies each in its own turn of the event loop, so a
 * scan never blocks it for longer than one chunk takes to deserialize.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SysfsInventory, type GroupInfo } from './inventory.js';

const { root, chunk, ack } = workerData as { root: string; chunk: number; ack: SharedArrayBuffer };
const acked = new Int32Array(ack);
const inv = new SysfsInventory(root);
let sent = 0;

function post(groups: GroupInfo[], done: boolean): void {
  // Wait for the previous chunk to be applied (the reads of this one overlapped it).
  while (Atomics.load(acked, 0) < sent) Atomics.wait(acked, 0, Atomics.load(acked, 0), 1000);
  parentPort!.postMessage({ groups, done, seq: ++sent });
}

let batch: GroupInfo[] = [];
for (const id of inv.groupIds()) {
  const g = inv.readGroupIfPresent(id);
  if (g) batch.push(g);
  if (batch.length >= chunk) {
    post(batch, false);
    batch = [];
  }
}
post(batch, true);
