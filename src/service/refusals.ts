/**
 * Kernel and host errors turned into the refusals a client can act on, by type
 * (SysError's errno, the sysfs layer's error classes), and the one wrapper every
 * RPC goes through so that each refusal is typed and audited the same way.
 */
import { SysError } from '../kernel/sys-error.js';
import { BindTimeoutError } from '../kernel/binding-runner.js';
import { InvalidNameError, NoSuchDeviceError, NoSuchGroupError } from '../kernel/sysfs/errors.js';
import type { Host, HostGroup } from '../kernel/host.js';
import {
  BindingDeadlineError, BrokerError, InternalError, InvalidArgumentError, NotFoundError, PreconditionError, StillHeldError,
} from '../broker/errors.js';

/** Run a kernel step, turning the errnos that mean something to a client into typed refusals. */
export function kernelStep<T>(host: Host, groups: HostGroup[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw kernelRefusal(host, groups, e);
  }
}

/** The same for a step that runs off the event loop (driver binding), with its deadline. */
export async function kernelStepAsync<T>(host: Host, groups: HostGroup[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kernelRefusal(host, groups, e);
  }
}

function kernelRefusal(host: Host, groups: HostGroup[], e: unknown): unknown {
  if (e instanceof BindTimeoutError) {
    return new BindingDeadlineError(e.message, { device: e.device, deadlineMs: e.deadlineMs, groups: groups.map((g) => g.id).join(',') });
  }
  if (!(e instanceof SysError)) return e;
  switch (e.code) {
    case 'EBUSY': return stillHeld(host, groups, e.op);
    case 'EPERM': case 'EACCES': return new PreconditionError(`the kernel refused: ${e.message}`, { op: e.op, errno: e.code });
    case 'ENODEV': case 'ENOENT': return new NotFoundError(`device went away: ${e.message}`, { op: e.op, errno: e.code });
    default: return new InternalError(e.message, { op: e.op, errno: e.code });
  }
}

function stillHeld(host: Host, groups: HostGroup[], op: string): StillHeldError {
  const holders = groups.flatMap((g) => host.holders(g));
  const list = holders.map((h) => `pid ${h.pid} uid ${h.uid} (${h.comm})`).join(', ');
  return new StillHeldError(
    `group ${groups.map((g) => g.id).join(', ')} is still open in the kernel${list ? ` by ${list}` : ''}, left over from an ended lease; it becomes free when ${holders.length === 1 ? 'that process exits' : 'those processes exit'}`,
    { groups: groups.map((g) => g.id).join(','), holders: holders.map((h) => h.pid).join(','), op },
  );
}

/** Run a sysfs lookup, turning its name and not-found errors into refusals. */
export function sysfsStep<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidNameError) throw new InvalidArgumentError(e.message);
    if (e instanceof NoSuchDeviceError || e instanceof NoSuchGroupError) throw new NotFoundError(e.message);
    throw e;
  }
}

/** Anything thrown, as a BrokerError (an unexpected failure is INTERNAL). */
export function asRefusal(e: unknown): BrokerError {
  return e instanceof BrokerError ? e : new InternalError((e as Error)?.message ?? String(e));
}
