/**
 * JSON logs on stdout for journald. Audit records go through the same logger with
 * `audit: true` (so `journalctl -u vfio-brokerd | grep '"audit":true'` finds them),
 * and optionally to their own append-only file.
 */
import fs from 'node:fs';
import pino from 'pino';
import { clipAudit, type AuditRecord } from '../broker/audit.js';

export type Logger = pino.Logger;

export function createLogger(level: string, dest: pino.DestinationStream | number = 1): Logger {
  return pino({ level, base: { svc: 'vfio-brokerd' }, timestamp: pino.stdTimeFunctions.isoTime }, typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest);
}

export interface AuditSinkOptions {
  /** Called once per record the file did not take (a metric). */
  onWriteFailure?: (err: Error) => void;
  /** At most one log line about failing writes per this many ms (default a minute). */
  warnEveryMs?: number;
  now?: () => number;
}

/**
 * Writes audit records; never throws. It is called from session close handlers
 * and the like, where an exception (ENOSPC, EIO on the audit file) would crash
 * the daemon and end every lease, and a refusal would deny what policy allows:
 * a failed write is counted, logged at a bounded rate, and the record still
 * reaches the log.
 */
export class AuditSink {
  #fd: number | null = null;
  #log: Logger;
  #o: AuditSinkOptions;
  #file: string | null;
  #failing = { count: 0, since: 0, lastWarn: -Infinity, suppressed: 0 };
  /** The last write stopped mid-line: the next record starts on a new line. */
  #torn = false;

  constructor(log: Logger, file: string | null, o: AuditSinkOptions = {}) {
    this.#log = log;
    this.#o = o;
    this.#file = file;
    // O_APPEND so concurrent writers (and a restarted daemon) never overwrite records.
    if (file) this.#fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  }

  write(record: AuditRecord): void {
    // One place bounds every field, whichever RPC and field carried client input.
    const r = clipAudit(record);
    try {
      this.#log.info(r, `audit ${r.event} ${r.rpc}${r.lease ? ` ${r.lease}` : ''}`);
    } catch {
      // stdout gone: the file below is the only record left; nothing to report to.
    }
    if (this.#fd === null) return;
    const line = Buffer.from(`${this.#torn ? '\n' : ''}${JSON.stringify(r)}\n`);
    let written = 0;
    try {
      while (written < line.length) written += fs.writeSync(this.#fd, line, written, line.length - written);
      this.#torn = false;
      this.recovered();
    } catch (e) {
      if (written > 0) this.#torn = true;
      this.failed(e as Error);
    }
  }

  private failed(err: Error): void {
    const f = this.#failing;
    const now = (this.#o.now ?? Date.now)();
    if (f.count === 0) f.since = now;
    f.count++;
    try {
      this.#o.onWriteFailure?.(err);
    } catch {
      // a metric must not turn into the exception this class exists to contain
    }
    if (now - f.lastWarn < (this.#o.warnEveryMs ?? 60_000)) {
      f.suppressed++;
      return;
    }
    f.lastWarn = now;
    this.warn({ file: this.#file, err: err.message, failures: f.count, suppressed: f.suppressed }, 'audit file write failed: records go to the log only until it recovers');
    f.suppressed = 0;
  }

  private recovered(): void {
    const f = this.#failing;
    if (f.count === 0) return;
    this.warn({ file: this.#file, failures: f.count }, `audit file writable again after ${f.count} failed record(s)`);
    this.#failing = { count: 0, since: 0, lastWarn: -Infinity, suppressed: 0 };
  }

  private warn(o: object, msg: string): void {
    try {
      this.#log.warn(o, msg);
    } catch {
      // as above
    }
  }

  close(): void {
    try {
      if (this.#fd !== null) fs.closeSync(this.#fd);
    } catch {
      // EIO on close of an append-only log: nothing left to save
    }
    this.#fd = null;
  }
}
