/**
 * Driver binding off the event loop, with a deadline: each move runs in a child
 * process (binding-child.ts). vfio-pci's remove waits for every device fd to be
 * closed, so an unbind of a device in use blocks its writer until the user lets
 * go; with the writes in the daemon itself that stalled every RPC (and the
 * watchdog restarted the daemon). Past the deadline the caller gets a
 * BindTimeoutError; the child is left to finish (it cannot be killed while the
 * kernel waits, and finishing gives the device a driver again), and
 * `finished` says when it did.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BindError, type BindResult } from './driver-binding.js';
import type { ChildReply } from './binding-child.js';

const here = import.meta.url;
// The child runs whichever form this module runs as: .ts from sources, .js built.
const entry = fileURLToPath(new URL(`./binding-child${path.extname(fileURLToPath(here))}`, here));
// From sources it needs a TypeScript loader (dev-loader.ts, not part of the build). Built, none.
const devLoader: Promise<string | null> = here.endsWith('.ts')
  ? import(new URL('./sysfs/dev-loader.ts', here).href).then((m: { importLoaderUrl(): string | null }) => m.importLoaderUrl())
  : Promise.resolve(null);

export const DEFAULT_BIND_DEADLINE_MS = 10_000;
/** Starting node is not the kernel's time (seconds on a loaded or emulated machine): bounded apart. */
const START_LIMIT_MS = 120_000;

export class BindTimeoutError extends Error {
  override name = 'BindTimeoutError';
  constructor(
    readonly device: string,
    readonly op: 'bind' | 'restore',
    readonly deadlineMs: number,
    /** Settles when the move ends after all (the device's fds were closed). */
    readonly finished: Promise<void>,
  ) {
    super(`${op === 'bind' ? 'binding' : 'unbinding'} ${device} did not finish within ${deadlineMs} ms: the kernel waits for its current user to close the device (vfio-pci asks the user to through its request irq); the move completes by itself when they do`);
  }
}

export interface BindMove {
  op: 'bind' | 'restore';
  root: string;
  device: string;
  expected?: string | null;
}

/** Run one move in a child; resolves with its result, rejects with its error or a BindTimeoutError. */
export async function runBinding(move: BindMove, deadlineMs = DEFAULT_BIND_DEADLINE_MS): Promise<BindResult> {
  const loader = await devLoader;
  const args = [...(loader ? ['--import', loader] : []), entry, move.op, move.root, move.device];
  if (move.expected !== undefined) args.push(JSON.stringify(move.expected));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d.slice(0, 4096); });
  const done = new Promise<BindResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let reply: ChildReply;
      try {
        reply = JSON.parse(out.replace(/^started\n/, '')) as ChildReply;
      } catch {
        reject(new Error(`binding helper for ${move.device} ended (${signal ?? code}) without a result${err ? `: ${err.trim()}` : ''}`));
        return;
      }
      if ('ok' in reply) resolve(reply.ok);
      else if (reply.error.bindError) reject(new BindError(move.device, reply.error.message));
      else reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Nothing has been written before "started": a child that never gets there is simply killed.
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`binding helper for ${move.device} did not start within ${START_LIMIT_MS / 1000} s`));
    }, START_LIMIT_MS);
    // The first listener above has already appended this chunk to `out`.
    const onData = () => {
      if (!out.startsWith('started\n')) return;
      child.stdout.off('data', onData);
      clearTimeout(timer);
      timer = setTimeout(() => {
        // The stuck child must not keep the daemon's loop alive at shutdown.
        child.unref();
        (child.stdout as unknown as { unref?(): void }).unref?.();
        (child.stderr as unknown as { unref?(): void }).unref?.();
        reject(new BindTimeoutError(move.device, move.op, deadlineMs, done.then(() => undefined, () => undefined)));
      }, deadlineMs);
    };
    child.stdout.on('data', onData);
  });
  try {
    return await Promise.race([done, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
