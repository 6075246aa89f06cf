/** RLIMIT_MEMLOCK through prlimit(2): what VFIO and iommufd charge pinned DMA memory against. */
import { check, realLibc, type RawLibc } from './libc.js';
import { RLIMIT_MEMLOCK, RLIM_INFINITY } from './constants.js';

export interface Limit {
  soft: bigint;
  hard: bigint;
}

/** The memlock limit of `pid` (0: this process). RLIM_INFINITY means unlimited. */
export function memlockLimit(pid = 0, libc: RawLibc = realLibc()): Limit {
  const cur = Buffer.alloc(16);
  check(libc, `prlimit(${pid}, RLIMIT_MEMLOCK)`, libc.prlimit(pid, RLIMIT_MEMLOCK, null, cur));
  return { soft: cur.readBigUInt64LE(0), hard: cur.readBigUInt64LE(8) };
}

/** Raise (never lower) both limits of `pid` to at least `bytes`. Raising the hard limit needs CAP_SYS_RESOURCE. */
export function raiseMemlock(pid: number, bytes: bigint, libc: RawLibc = realLibc()): void {
  const { soft, hard } = memlockLimit(pid, libc);
  if (soft >= bytes && hard >= bytes) return;
  const next = Buffer.alloc(16);
  next.writeBigUInt64LE(soft > bytes ? soft : bytes, 0);
  next.writeBigUInt64LE(hard > bytes ? hard : bytes, 8);
  check(libc, `prlimit(${pid}, RLIMIT_MEMLOCK, ${bytes})`, libc.prlimit(pid, RLIMIT_MEMLOCK, next, null));
}

export const isUnlimited = (v: bigint) => v === RLIM_INFINITY;
