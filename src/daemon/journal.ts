/**
 * The lease journal: the daemon's memory across restarts. It is rewritten in full
 * (leases are few) before any fd of a new lease leaves the daemon and after every
 * release, atomically: write a temporary file, fsync it, rename it over the old
 * one, fsync the directory. A crash at any point leaves either the old or the new
 * journal, never a torn one, so a group is never handed to a second owner while
 * the first may still hold it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Lease } from '../broker/lease-table.js';
import { checkEntries, type DroppedEntry } from './journal-check.js';

export interface JournalEntry {
  id: string;
  groups: number[];
  owner: { pid: number; uid: number; gid: number; groups: number[]; exe?: string; startTime?: string };
  mode: Lease['mode'];
  since: string;
  devices: string[];
  rule: string;
  memlockBytes: number;
  managed: boolean;
  /** Whether the rule that allowed the lease allows sharing (absent in journals from before 0.2). */
  allowShare?: boolean;
  /** The mdev the broker created for the lease (Acquire of a type), removed when it ends. */
  mdev?: string;
  secret: string;
}

export interface JournalFile {
  version: 1;
  written: string;
  /** Boot id: leases from an earlier boot are void (every fd died with the kernel). */
  bootId: string;
  leases: JournalEntry[];
}

export interface JournalRead {
  entries: JournalEntry[];
  /** Entries that could not be restored, and why. */
  dropped: DroppedEntry[];
  found: boolean;
  staleBoot: boolean;
  /** Set when the whole file was unusable (truncated, garbage, unknown format). */
  unreadable?: string;
}

export class LeaseJournal {
  readonly file: string;
  #bootId: string;

  constructor(dir: string, bootId: string) {
    this.file = path.join(dir, 'leases.json');
    this.#bootId = bootId;
  }

  /**
   * The leases to restore. Never throws for what is in the file: an unreadable
   * journal is moved aside (`leases.json.unreadable`, for the operator) and
   * reads as empty, and entries that cannot be leases are dropped, each with why.
   */
  read(): JournalRead {
    const none = { entries: [], dropped: [], found: true, staleBoot: false };
    let j: unknown;
    try {
      j = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...none, found: false };
      return { ...none, unreadable: this.setAside(`cannot be read: ${(e as Error).message}`) };
    }
    if (typeof j !== 'object' || j === null || (j as JournalFile).version !== 1 || !Array.isArray((j as JournalFile).leases)) {
      return { ...none, unreadable: this.setAside('is not a version 1 lease journal') };
    }
    const f = j as JournalFile;
    if (f.bootId !== this.#bootId) return { ...none, staleBoot: true };
    return { ...checkEntries(f.leases), found: true, staleBoot: false };
  }

  /** Keep a damaged journal for inspection; the next write starts a fresh one. */
  private setAside(why: string): string {
    const aside = `${this.file}.unreadable`;
    try {
      fs.renameSync(this.file, aside);
      return `${this.file} ${why}; moved to ${aside}`;
    } catch (e) {
      return `${this.file} ${why} (and could not be moved aside: ${(e as Error).message})`;
    }
  }

  write(leases: Lease[]): void {
    const body: JournalFile = {
      version: 1,
      written: new Date().toISOString(),
      bootId: this.#bootId,
      leases: leases.map(toEntry),
    };
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(body, null, 1));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    const dfd = fs.openSync(path.dirname(this.file), 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  }
}

export function toEntry(l: Lease): JournalEntry {
  return {
    id: l.id, groups: l.groups, owner: l.owner, mode: l.mode, since: l.since.toISOString(), devices: l.devices,
    rule: l.rule, memlockBytes: l.memlockBytes, managed: l.managed, allowShare: l.allowShare, secret: l.secret,
    ...(l.mdev ? { mdev: l.mdev } : {}),
  };
}

export function fromEntry(e: JournalEntry): Lease {
  return {
    id: e.id, groups: e.groups, sessionId: null, owner: e.owner, mode: e.mode, since: new Date(e.since), state: 'orphaned',
    devices: e.devices, rule: e.rule, memlockBytes: e.memlockBytes, managed: e.managed, allowShare: typeof e.allowShare === 'boolean' ? e.allowShare : undefined, secret: e.secret,
    ...(e.mdev ? { mdev: e.mdev } : {}),
  };
}

/**
 * Group commit for the journal. Every change marks the lease table dirty; one
 * write (serialise, fsync, rename) a turn of the event loop later covers all the
 * changes made meanwhile. An acquire waits for `flushed()` before any fd leaves,
 * so "journalled before delivered" still holds, while a thousand concurrent
 * acquires cost a handful of fsyncs instead of a thousand.
 */
export class JournalWriter {
  #journal: { write(leases: Lease[]): void };
  #pending: Lease[] | null = null;
  #flush: Promise<void> | null = null;
  writes = 0;

  constructor(journal: { write(leases: Lease[]): void }) {
    this.#journal = journal;
  }

  write(leases: Lease[]): void {
    this.#pending = leases;
    this.#flush ??= new Promise<void>((resolve, reject) => setImmediate(() => {
      this.#flush = null;
      try {
        this.flushNow();
        resolve();
      } catch (e) {
        reject(e);
      }
    }));
    // A failure surfaces through flushed(); nobody waiting must not be an unhandled rejection.
    this.#flush.catch(() => {});
  }

  /** Write any pending change now (daemon stop). */
  flushNow(): void {
    if (!this.#pending) return;
    const leases = this.#pending;
    this.#pending = null;
    this.#journal.write(leases);
    this.writes++;
  }

  /** Resolves once every change made so far is on disk. */
  flushed(): Promise<void> {
    return this.#flush ?? Promise.resolve();
  }
}
