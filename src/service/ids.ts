/** Ids and secrets the daemon issues: random, so nothing about one predicts another. */
import { randomBytes } from 'node:crypto';

export const newId = (prefix: string, bytes = 6): string => `${prefix}${randomBytes(bytes).toString('hex')}`;
export const newSecret = (): string => randomBytes(24).toString('base64url');
