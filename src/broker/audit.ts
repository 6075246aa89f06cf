import type { Caller, FdRole } from './types.js';

/**
 * Audit records: one per fd that leaves the daemon and one per refusal. Built here
 * (pure), written by the daemon's audit sink to the log (with `audit: true`) and,
 * optionally, an append-only file.
 */
export interface AuditRecord {
  audit: true;
  event: 'grant' | 'refusal' | 'release' | 'revoke' | 'share' | 'bind' | 'unbind';
  time: string;
  who: { pid: number; uid: number; gid: number; exe?: string };
  rpc: string;
  lease?: string;
  groups?: number[];
  fds?: { role: FdRole; group?: number; device?: string }[];
  rule?: string;
  status?: string;
  reason?: string;
}

export function who(c: Caller): AuditRecord['who'] {
  return { pid: c.pid, uid: c.uid, gid: c.gid, exe: c.exe };
}
