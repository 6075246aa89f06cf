/**
 * Files the daemon must find intact after a crash (the lease and claim journals):
 * written whole or not at all, and set aside rather than trusted when damaged.
 */
import fs from 'node:fs';
import path from 'node:path';

/** fsync a directory, so a rename or create inside it survives a crash. */
export function syncDir(dir: string): void {
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

/** Replace `file` with `text` atomically (tmp, fsync, rename, fsync the directory); mode 0600. */
export function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/** Keep a damaged file for inspection (`<file>.unreadable`); the next write starts afresh. Returns what to log. */
export function setAside(file: string, why: string): string {
  const aside = `${file}.unreadable`;
  try {
    fs.renameSync(file, aside);
    return `${file} ${why}; moved to ${aside}`;
  } catch (e) {
    return `${file} ${why} (and could not be moved aside: ${(e as Error).message})`;
  }
}
