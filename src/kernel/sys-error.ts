import koffi from 'koffi';

/** errno number → symbolic name (EBUSY, EPERM, …), built from koffi's table. */
const errnoNames = new Map<number, string>();
for (const [name, num] of Object.entries(koffi.os.errno)) {
  // Several names alias one number (EAGAIN/EWOULDBLOCK); keep the first, canonical one.
  if (!errnoNames.has(num)) errnoNames.set(num, name);
}

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E#${errno}`;
}

export function errnoNumber(name: string): number {
  const n = (koffi.os.errno as Record<string, number>)[name];
  if (n === undefined) throw new RangeError(`unknown errno name ${name}`);
  return n;
}

/**
 * A failed system call. Carries the operation (e.g. "ioctl(VFIO_GROUP_SET_CONTAINER)")
 * and the errno name, so callers can branch on `code` the same way they do for Node's
 * own fs errors, and logs show what the kernel actually said.
 */
export class SysError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly op: string;

  constructor(op: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(`${op}: ${code}${detail ? ` (${detail})` : ''}`);
    this.name = 'SysError';
    this.op = op;
    this.errno = errno;
    this.code = code;
  }
}

export function isSysError(e: unknown, code?: string): e is SysError {
  return e instanceof SysError && (code === undefined || e.code === code);
}
