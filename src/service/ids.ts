/** Ids and secrets the daemon issues: random, so nothing about one predicts another. */
import { randomFillSync } from 'node:crypto';

// Drawn from one pool refilled from the CSPRNG, not a randomBytes() call each:
// an acquire takes three, and each call was a buffer and a trip into OpenSSL.
const POOL = Buffer.alloc(4096);
let used = POOL.length;

function take(bytes: number): Buffer {
  if (used + bytes > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const b = POOL.subarray(used, used + bytes);
  used += bytes;
  return b;
}

export const newId = (prefix: string, bytes = 6): string => `${prefix}${take(bytes).toString('hex')}`;
export const newSecret = (): string => take(24).toString('base64url');
