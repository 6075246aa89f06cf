import type { Caller, FdRole } from './types.js';

/**
 * Audit records: one per fd that leaves the daemon and one per refusal. Built here
 * (pure), written by the daemon's audit sink to the log (with `audit: true`) and,
 * optionally, an append-only file.
 */
export interface AuditRecord {
  audit: true;
  event: 'grant' | 'refusal' | 'release' | 'revoke' | 'share' | 'bind' | 'unbind' | 'claim' | 'group-type' | 'mdev-create' | 'mdev-remove';
  time: string;
  who: { pid: number; uid: number; gid: number; exe?: string };
  rpc: string;
  lease?: string;
  claim?: string;
  groups?: number[];
  fds?: { role: FdRole; group?: number; device?: string }[];
  rule?: string;
  status?: string;
  reason?: string;
}

export function who(c: Caller): AuditRecord['who'] {
  return { pid: c.pid, uid: c.uid, gid: c.gid, exe: c.exe };
}

/** Longest string kept per field; client input (ids, names, messages quoting them) can be any size. */
export const AUDIT_MAX_FIELD = 256;
/** Most array entries kept per field (a request may list any number of groups or devices). */
export const AUDIT_MAX_ITEMS = 64;

export function clipString(s: string, max = AUDIT_MAX_FIELD): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length - max} more characters)`;
}

/**
 * A record whose every string is at most AUDIT_MAX_FIELD characters and every
 * array at most AUDIT_MAX_ITEMS entries, at any depth, so that one hostile
 * request cannot write a megabyte line to the audit log. Applied by the sink to
 * every record, whatever field a future caller puts client input in.
 */
export function clipAudit<T>(r: T): T {
  // Nearly every record is already within bounds: checking costs no allocation, copying one per record.
  return fits(r, 0) ? r : (clip(r, 0) as T);
}

/** Whether clip() would return an equal value: plain objects and arrays only, every bound kept. */
function fits(v: unknown, depth: number): boolean {
  if (typeof v === 'string') return v.length <= AUDIT_MAX_FIELD;
  if (v === null || typeof v !== 'object') return true;
  if (depth >= 4) return false;
  if (Array.isArray(v)) {
    if (v.length > AUDIT_MAX_ITEMS) return false;
    for (const x of v) if (!fits(x, depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false; // a Date, a Map: clip() rebuilds it
  for (const k in v) {
    if (!Object.hasOwn(v, k)) return false;
    if (k.length > 64 || !fits((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function clip(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return clipString(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= 4) return '[nested too deep]';
  if (Array.isArray(v)) {
    const kept = v.slice(0, AUDIT_MAX_ITEMS).map((x) => clip(x, depth + 1));
    // Numbers-only arrays (groups) stay numbers-only: the count of dropped entries would change their type.
    if (v.length > AUDIT_MAX_ITEMS && kept.every((x) => typeof x !== 'number')) kept.push(`(${v.length - AUDIT_MAX_ITEMS} more entries)`);
    return kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[clipString(k, 64)] = clip(x, depth + 1);
  return out;
}
