/**
 * The claim journal: claims survive daemon restarts (and reboots: a claim is the
 * kubelet's allocation, which outlives both) in `claims.json` beside the lease
 * journal, rewritten in full and atomically at every change (claims change
 * rarely: create, redeem, lease end, end). Tokens are stored only as their
 * sha256. Entries that cannot be claims are dropped, each with why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Claim } from '../broker/claim-table.js';
import { setAside, writeDurably } from './durable-file.js';
import { MAX_GROUPS_PER_LEASE, isIssuedId, parseGroupId } from '../broker/input.js';

export interface ClaimEntry {
  id: string;
  groups: number[];
  mode: Claim['mode'];
  state: 'reserved' | 'leased';
  ownerRef: string;
  tokenHash: string;
  created: string;
  expires?: string;
  createdBy: { uid: number; pid: number };
  podUid?: string;
  podPath?: string;
  leaseId?: string;
}

interface ClaimFile { version: 1; written: string; claims: ClaimEntry[] }

const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isShortText = (v: unknown, max = 4096) => typeof v === 'string' && v.length <= max;

/** Why an entry cannot be a claim, or null. */
export function claimEntryProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const c = e as Record<string, unknown>;
  if (!isIssuedId(c.id)) return 'id is not a claim id';
  if (!Array.isArray(c.groups) || c.groups.length === 0 || c.groups.length > MAX_GROUPS_PER_LEASE || !c.groups.every((g) => typeof g === 'number' && parseGroupId(g) === g)) return 'groups is not a list of groups';
  if (c.mode !== 'legacy' && c.mode !== 'iommufd') return 'mode is not a mode';
  if (c.state !== 'reserved' && c.state !== 'leased') return 'state is not reserved or leased';
  if (!isShortText(c.ownerRef, 256)) return 'ownerRef is not text';
  if (typeof c.tokenHash !== 'string' || !/^[0-9a-f]{64}$/.test(c.tokenHash)) return 'tokenHash is not a sha256';
  if (!isDate(c.created) || (c.expires !== undefined && !isDate(c.expires))) return 'created or expires is not a timestamp';
  const by = c.createdBy as Record<string, unknown> | undefined;
  if (typeof by !== 'object' || by === null || typeof by.uid !== 'number' || typeof by.pid !== 'number') return 'createdBy is missing';
  if (c.podUid !== undefined && !isShortText(c.podUid, 64)) return 'podUid is not a pod uid';
  if (c.podPath !== undefined && !isShortText(c.podPath)) return 'podPath is not a path';
  if (c.leaseId !== undefined && !isIssuedId(c.leaseId)) return 'leaseId is not a lease id';
  return null;
}

export class ClaimJournal {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'claims.json');
  }

  read(): { claims: Claim[]; dropped: { index: number; reason: string }[]; unreadable?: string } {
    let j: unknown;
    try {
      j = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { claims: [], dropped: [] };
      return { claims: [], dropped: [], unreadable: setAside(this.file, `cannot be read: ${(e as Error).message}`) };
    }
    const f = j as ClaimFile;
    if (typeof f !== 'object' || f === null || f.version !== 1 || !Array.isArray(f.claims)) return { claims: [], dropped: [], unreadable: setAside(this.file, 'is not a version 1 claim journal') };
    const claims: Claim[] = [];
    const dropped: { index: number; reason: string }[] = [];
    f.claims.forEach((e, index) => {
      const p = claimEntryProblem(e);
      if (p) dropped.push({ index, reason: p });
      else claims.push(fromClaimEntry(e));
    });
    return { claims, dropped };
  }

  write(claims: Claim[]): void {
    const body: ClaimFile = { version: 1, written: new Date().toISOString(), claims: claims.map(toClaimEntry) };
    writeDurably(this.file, JSON.stringify(body, null, 1));
  }
}

export function toClaimEntry(c: Claim): ClaimEntry {
  return {
    id: c.id, groups: c.groups, mode: c.mode, state: c.state === 'leased' ? 'leased' : 'reserved', ownerRef: c.ownerRef, tokenHash: c.tokenHash,
    created: c.created.toISOString(), expires: c.expires?.toISOString(), createdBy: c.createdBy, podUid: c.podUid, podPath: c.podPath, leaseId: c.leaseId,
  };
}

export function fromClaimEntry(e: ClaimEntry): Claim {
  return {
    id: e.id, groups: e.groups, mode: e.mode, state: e.state, ownerRef: e.ownerRef, tokenHash: e.tokenHash, created: new Date(e.created),
    expires: e.expires ? new Date(e.expires) : undefined, createdBy: { uid: e.createdBy.uid, pid: e.createdBy.pid }, podUid: e.podUid, podPath: e.podPath, leaseId: e.leaseId,
  };
}
