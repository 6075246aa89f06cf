/**
 * The lease journal: the daemon's memory across restarts, written before any fd
 * of a new lease leaves the daemon and after every release. Two files:
 * `leases.json`, a snapshot of every lease (written atomically: temporary file,
 * fsync, rename, fsync the directory), and `leases.log`, the changes since that
 * snapshot, appended one record per changed lease with an fdatasync
 * (journal-log.ts). A change costs what it changed, not the whole lease table;
 * the log is folded into a new snapshot on the first write after start and
 * whenever it outgrows the table. A crash at any point leaves a snapshot plus a
 * log whose complete records replay to what was last made durable, so a group
 * is never handed to a second owner while the first may still hold it. A
 * journal from before the log (a snapshot alone) reads as it always did.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Lease } from '../broker/lease-table.js';
import { checkEntries, type DroppedEntry } from './journal-check.js';
import { LogWriter, readLog, replay, type LogRecord } from './journal-log.js';
import { setAside, writeDurably } from './durable-file.js';

/** Records a log may hold before it is folded into a snapshot: at least this, or twice the leases. */
export const COMPACT_MIN_RECORDS = 512;

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
  /** Which log continues this snapshot (absent before the log existed: then none does). */
  generation?: string;
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
  readonly logFile: string;
  #bootId: string;
  /** The log being appended to; null until the first write (which compacts). */
  #log: LogWriter | null = null;
  /** What the journal holds now, per lease: the objects it was written from (a re-attach replaces owner). */
  #written = new Map<string, { lease: Lease; owner: Lease['owner'] }>();
  stats = { snapshots: 0, appends: 0, records: 0 };

  constructor(dir: string, bootId: string, readonly compactMin = COMPACT_MIN_RECORDS) {
    this.file = path.join(dir, 'leases.json');
    this.logFile = path.join(dir, 'leases.log');
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
      return { ...none, unreadable: setAside(this.file, `cannot be read: ${(e as Error).message}`) };
    }
    if (typeof j !== 'object' || j === null || (j as JournalFile).version !== 1 || !Array.isArray((j as JournalFile).leases)) {
      return { ...none, unreadable: setAside(this.file, 'is not a version 1 lease journal') };
    }
    const f = j as JournalFile;
    if (f.bootId !== this.#bootId) return { ...none, staleBoot: true };
    // The log continues this snapshot only if it names its generation.
    const log = typeof f.generation === 'string' ? readLog(this.logFile) : null;
    const current = log && log.gen === f.generation ? log : null;
    const checked = checkEntries(current ? replay(f.leases, current.records) : f.leases);
    const logDropped = (current?.dropped ?? []).map((d) => ({ index: d.line, reason: `${path.basename(this.logFile)} line ${d.line}: ${d.reason}` }));
    return { ...checked, dropped: [...logDropped, ...checked.dropped], found: true, staleBoot: false };
  }

  /**
   * Make `leases` (the whole table) what the journal holds: append a record for
   * each lease added or changed and each one gone, or fold everything into a new
   * snapshot on the first write and when the log has grown past its bound.
   */
  write(leases: Lease[]): void {
    if (!this.#log || this.#log.records >= Math.max(this.compactMin, 2 * leases.length)) return this.compact(leases);
    // Comparing object identities over the table is cheap; only what changed is serialised and written.
    const records: LogRecord[] = [];
    const changed: Lease[] = [];
    const now = new Set<string>();
    for (const l of leases) {
      now.add(l.id);
      const w = this.#written.get(l.id);
      if (!w || w.lease !== l || w.owner !== l.owner) {
        records.push({ k: 'lease', v: toEntry(l) });
        changed.push(l);
      }
    }
    const gone = [...this.#written.keys()].filter((id) => !now.has(id));
    for (const id of gone) records.push({ k: 'end', id });
    if (!records.length) return;
    try {
      this.#log.append(records);
    } catch (e) {
      // Whatever reached the disk, the next write starts over from a snapshot.
      this.#log = null;
      throw e;
    }
    this.stats.appends++;
    this.stats.records += records.length;
    for (const l of changed) this.#written.set(l.id, { lease: l, owner: l.owner });
    for (const id of gone) this.#written.delete(id);
  }

  /** A new snapshot of every lease, then a fresh log naming it. */
  compact(leases: Lease[]): void {
    this.#log = null;
    const generation = crypto.randomBytes(8).toString('hex');
    const body: JournalFile = {
      version: 1,
      written: new Date().toISOString(),
      bootId: this.#bootId,
      generation,
      leases: leases.map(toEntry),
    };
    writeDurably(this.file, JSON.stringify(body));
    // A crash here leaves the old log, naming the old generation: ignored on read.
    this.#log = LogWriter.create(this.logFile, generation);
    this.stats.snapshots++;
    this.remember(leases);
  }

  private remember(leases: Lease[]): void {
    this.#written = new Map(leases.map((l) => [l.id, { lease: l, owner: l.owner }]));
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
