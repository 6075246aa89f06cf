/**
 * What the daemon accepts from its lease journal at start. The file is the
 * daemon's own, but a disk error, a hand edit or an attacker with the state
 * directory can leave anything in it; one bad entry must cost that entry, not
 * the start (systemd would restart the daemon into the same file forever).
 */
import { MAX_GROUPS_PER_LEASE, MDEV_UUID, isDeviceName, isIssuedId, isPid, isUid, parseGroupId, quoted } from '../broker/input.js';
import type { JournalEntry } from './journal.js';

export interface DroppedEntry {
  /** Position in the journal's lease list. */
  index: number;
  id?: string;
  reason: string;
}

const MODES = new Set(['legacy', 'iommufd']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Quoted and clipped; JSON first, since an object from the file may have a hostile toString. */
const q = (v: unknown): string => quoted(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
const isText = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

/** Why an entry cannot be a lease, or null if it can. */
export function entryProblem(e: unknown): string | null {
  if (!isObject(e)) return 'not an object';
  if (!isIssuedId(e.id)) return `id ${q(e.id)} is not a lease id`;
  if (!Array.isArray(e.groups) || e.groups.length === 0 || e.groups.length > MAX_GROUPS_PER_LEASE) return 'groups is not a list of 1 to 64 groups';
  if (!e.groups.every((g) => typeof g === 'number' && parseGroupId(g) === g)) return `groups ${q(e.groups)} holds something that is not a group number`;
  if (new Set(e.groups).size !== e.groups.length) return 'groups lists a group twice';
  const o = e.owner;
  if (!isObject(o)) return 'owner is missing';
  if (!isPid(o.pid)) return `owner pid ${q(o.pid)} is not a pid`;
  if (!isUid(o.uid) || !isUid(o.gid)) return 'owner uid or gid is not a uid';
  if (!Array.isArray(o.groups) || !o.groups.every(isUid)) return 'owner groups is not a list of gids';
  if (o.exe !== undefined && !isText(o.exe)) return 'owner exe is not a path';
  if (o.startTime !== undefined && !isText(o.startTime, 32)) return `owner startTime ${q(o.startTime)} is not a start time`;
  if (typeof e.mode !== 'string' || !MODES.has(e.mode)) return `mode ${q(e.mode)} is not a mode`;
  if (typeof e.since !== 'string' || Number.isNaN(Date.parse(e.since))) return `since ${q(e.since)} is not a timestamp`;
  if (!Array.isArray(e.devices) || !e.devices.every(isDeviceName)) return 'devices is not a list of device names';
  if (!isText(e.rule, 256)) return 'rule is not a rule name';
  if (typeof e.memlockBytes !== 'number' || !Number.isSafeInteger(e.memlockBytes) || e.memlockBytes < 0) return `memlockBytes ${q(e.memlockBytes)} is not a byte count`;
  if (typeof e.managed !== 'boolean') return 'managed is not true or false';
  if (e.mdev !== undefined && (typeof e.mdev !== 'string' || !MDEV_UUID.test(e.mdev))) return `mdev ${q(e.mdev)} is not an mdev UUID`;
  if (!isText(e.secret, 256) || e.secret.length === 0) return 'secret is missing';
  return null;
}

/**
 * The entries that can be restored, in journal order, and why the others were
 * dropped. A group claimed by two leases stays with the first (the lease table
 * never holds two owners, so the file is damaged; the first is what a restore in
 * order would have kept); a lease id seen twice likewise.
 */
export function checkEntries(raw: unknown[]): { entries: JournalEntry[]; dropped: DroppedEntry[] } {
  const entries: JournalEntry[] = [];
  const dropped: DroppedEntry[] = [];
  const ids = new Set<string>();
  const owners = new Map<number, string>();
  raw.forEach((e, index) => {
    const id = isObject(e) && isIssuedId(e.id) ? e.id : undefined;
    const drop = (reason: string) => dropped.push({ index, id, reason });
    const problem = entryProblem(e);
    if (problem) return drop(problem);
    const entry = e as unknown as JournalEntry;
    if (ids.has(entry.id)) return drop(`lease id ${entry.id} appears twice; the first is kept`);
    const taken = entry.groups.find((g) => owners.has(g));
    if (taken !== undefined) return drop(`group ${taken} is already held by lease ${owners.get(taken)}, listed earlier`);
    ids.add(entry.id);
    for (const g of entry.groups) owners.set(g, entry.id);
    entries.push(entry);
  });
  return { entries, dropped };
}
