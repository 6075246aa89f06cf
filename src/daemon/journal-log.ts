/**
 * The journal's append-only log: what changed since the last snapshot
 * (leases.json), one JSON record a line, so that a lease's acquire or release
 * costs one small append and one fdatasync instead of rewriting every lease.
 *
 *   {"k":"log","v":1,"gen":"<snapshot generation>"}   first line: the snapshot it follows
 *   {"k":"lease","v":{…JournalEntry…}}                   a lease added or changed (re-attached)
 *   {"k":"end","id":"L-…"}                               a lease gone
 *
 * Records are keyed by kind ("k") so other state can be journalled alongside
 * (claims); a reader drops a kind it does not know, with the reason. The log is
 * replayed only over the snapshot whose generation its first line names: a
 * compaction writes a new snapshot, then replaces the log (rename) with one
 * naming it, so a crash in between leaves a log that is ignored, and the new
 * snapshot already holds everything in it. A torn last line (a crash during an
 * append) is a record whose fsync never finished: no fd of that change left the
 * daemon, and it is dropped like any unreadable record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isIssuedId, quoted } from '../broker/input.js';
import { syncDir } from './durable-file.js';

export type LogRecord = { k: 'lease'; v: unknown } | { k: 'end'; id: string } | { k: string; [field: string]: unknown };

export interface LogRead {
  /** Record kinds in order, those this reader knows; invalid lines are in `dropped`. */
  records: LogRecord[];
  dropped: { line: number; reason: string }[];
  /** The generation named by the header, or null (no log, or no usable header). */
  gen: string | null;
}

const KNOWN = new Set(['lease', 'end']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lines longer than this are not ours (an entry is well under 16 KiB even at its limits). */
const MAX_LINE = 64 * 1024;

export function readLog(file: string): LogRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { records: [], dropped: [], gen: null };
  }
  const lines = text.split('\n');
  const out: LogRead = { records: [], dropped: [], gen: null };
  lines.forEach((line, i) => {
    if (line === '') return;
    const drop = (reason: string) => out.dropped.push({ line: i + 1, reason });
    if (line.length > MAX_LINE) return drop('line too long');
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      return drop('not JSON (a torn append?)');
    }
    if (!isObject(r) || typeof r.k !== 'string') return drop('not a record');
    if (i === 0) {
      if (r.k === 'log' && r.v === 1 && typeof r.gen === 'string') out.gen = r.gen;
      else drop('first line is not a log header');
      return;
    }
    if (out.gen === null) return; // no header: nothing in it can be placed after a snapshot
    if (!KNOWN.has(r.k)) return drop(`unknown record kind ${quoted(r.k)}`);
    if (r.k === 'end' && !isIssuedId(r.id)) return drop('end record without a lease id');
    if (r.k === 'lease' && !isObject(r.v)) return drop('lease record without an entry');
    out.records.push(r as LogRecord);
  });
  return out;
}

/**
 * Entries keyed by lease id, in first-seen order, with the log's records applied.
 * Validation of each entry is the caller's (checkEntries), on the result.
 */
export function replay(snapshot: unknown[], records: LogRecord[]): unknown[] {
  const byId = new Map<string, unknown>();
  const loose: unknown[] = []; // snapshot entries without a usable id: kept for checkEntries to report
  for (const e of snapshot) {
    if (isObject(e) && typeof e.id === 'string' && !byId.has(e.id)) byId.set(e.id, e);
    else loose.push(e);
  }
  for (const r of records) {
    if (r.k === 'end') byId.delete(r.id as string);
    else if (r.k === 'lease' && isObject(r.v) && typeof r.v.id === 'string') byId.set(r.v.id, r.v);
    else if (r.k === 'lease') loose.push(r.v);
  }
  return [...byId.values(), ...loose];
}

/**
 * The log after one snapshot. Opened for each batch (open, write, fdatasync,
 * close): no fd stays open between writes, and a batch is one append.
 */
export class LogWriter {
  records = 0;

  private constructor(readonly file: string) {}

  /** A fresh log following snapshot `gen`, replacing any old one atomically. */
  static create(file: string, gen: string): LogWriter {
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify({ k: 'log', v: 1, gen }) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    syncDir(path.dirname(file));
    return new LogWriter(file);
  }

  append(records: LogRecord[]): void {
    if (!records.length) return;
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.records += records.length;
  }
}
