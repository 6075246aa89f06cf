/**
 * The child-process side of binding-runner.ts: one driver move (bind or
 * restore) of one device, with DriverBinder's synchronous sysfs writes, its
 * result as one JSON line on stdout. A process of its own because an unbind of
 * a device in use blocks in write(2) until the device is released (after a
 * signal, uninterruptibly): a worker thread stuck there would keep the daemon
 * itself from ever exiting, a child only keeps itself.
 */
import { BindError, DriverBinder, type BindResult } from './driver-binding.js';

export type ChildReply =
  | { ok: BindResult }
  | { error: { message: string; bindError: boolean; code?: string } };

const [op, root, device, expectedJson] = process.argv.slice(2);
// Loaded: from here on the time taken is the kernel's (the parent's deadline starts now).
process.stdout.write('started\n');
let reply: ChildReply;
try {
  const b = new DriverBinder(root);
  const expected = expectedJson === undefined ? undefined : (JSON.parse(expectedJson) as string | null);
  reply = { ok: op === 'bind' ? b.bind(device) : b.restore(device, expected) };
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  reply = { error: { message: err.message, bindError: e instanceof BindError, code: err.code } };
}
process.stdout.write(`${JSON.stringify(reply)}\n`);
