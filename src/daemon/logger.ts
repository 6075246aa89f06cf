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

export class AuditSink {
  #fd: number | null = null;
  #log: Logger;

  constructor(log: Logger, file: string | null) {
    this.#log = log;
    // O_APPEND so concurrent writers (and a restarted daemon) never overwrite records.
    if (file) this.#fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  }

  write(record: AuditRecord): void {
    // One place bounds every field, whichever RPC and field carried client input.
    const r = clipAudit(record);
    this.#log.info(r, `audit ${r.event} ${r.rpc}${r.lease ? ` ${r.lease}` : ''}`);
    if (this.#fd !== null) fs.writeSync(this.#fd, JSON.stringify(r) + '\n');
  }

  close(): void {
    if (this.#fd !== null) fs.closeSync(this.#fd);
    this.#fd = null;
  }
}
