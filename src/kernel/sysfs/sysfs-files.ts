/**
 * The file reads of an inventory scan, made the way the C walker makes them
 * (bench/c/sysfs-walk.c): one open/read/close per attribute into a reused
 * buffer, one readlink per link, getdents64 for a listing. node:fs costs more
 * per file than the syscalls do: readFileSync adds an fstat and a second read,
 * and every fs call validates its arguments and options; above all, a missing
 * file (no driver link on an unbound device, no vfio-dev/, no group name) is an
 * Error built and thrown, which V8 charges more for than the failed open. Here
 * a missing file is a -1 return and an undefined or null.
 */
import fs from 'node:fs';
import path from 'node:path';
import { O_CLOEXEC, O_RDONLY } from '../constants.js';
import { realFsLibc, type FsLibc } from '../libc.js';

/** struct linux_dirent64: d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8), then d_name. */
const D_RECLEN = 16;
const D_NAME = 19;
const DOT = 0x2e;
// No O_DIRECTORY for listings (its value differs between x86-64 and arm64):
// getdents64 on anything else fails with ENOTDIR, which is the same null.
const OPEN_FLAGS = O_RDONLY | O_CLOEXEC;

export class SysfsFiles {
  readonly #libc: FsLibc;
  /** Shared by every read: all of them are synchronous and copy out what they return. */
  #buf = Buffer.allocUnsafe(32768);

  constructor(libc: FsLibc = realFsLibc()) {
    this.#libc = libc;
  }

  /** An attribute's text, trimmed; undefined when it is missing or unreadable (as readFileSync failing). */
  attr(p: string): string | undefined {
    const libc = this.#libc;
    const fd = libc.open(p, OPEN_FLAGS, 0);
    if (fd < 0) return undefined;
    let buf = this.#buf;
    let n = 0;
    for (;;) {
      const r = libc.read(fd, n === 0 ? buf : buf.subarray(n), buf.length - n);
      if (r < 0) {
        n = -1;
        break;
      }
      n += r;
      // A short read is the whole file: sysfs hands out an attribute's text (at
      // most a page) in one read, and a regular file reads short only at its end.
      // So one read per attribute, as the C walker does, not a second for EOF.
      if (r === 0 || n < buf.length) break;
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, n);
      this.#buf = buf = bigger;
    }
    libc.close(fd);
    return n < 0 ? undefined : buf.toString('utf8', 0, n).trim();
  }

  /** A symlink's target as written, or null (missing, or not a link). */
  link(p: string): string | null {
    const n = this.#libc.readlink(p, this.#buf, this.#buf.length);
    // The buffer is eight times PATH_MAX: a full one cannot happen, but would be a truncated target.
    return n < 0 || n >= this.#buf.length ? null : this.#buf.toString('utf8', 0, n);
  }

  /** The last component of a symlink's target (a driver's, a bus's, a group's name), or null. */
  linkBase(p: string): string | null {
    const t = this.link(p);
    if (t === null) return null;
    const slash = t.lastIndexOf('/');
    return slash < t.length - 1 ? t.slice(slash + 1) : path.basename(t);
  }

  /** A directory's entries, sorted as readdirSync sorts them (libuv's scandir), without . and ..; null when it cannot be listed. */
  list(dir: string): string[] | null {
    const libc = this.#libc;
    if (!libc.getdents64) {
      try {
        return fs.readdirSync(dir);
      } catch {
        return null;
      }
    }
    const fd = libc.open(dir, OPEN_FLAGS, 0);
    if (fd < 0) return null;
    const buf = this.#buf;
    const names: string[] = [];
    for (;;) {
      const n = libc.getdents64(fd, buf, buf.length);
      if (n <= 0) {
        libc.close(fd);
        return n < 0 ? null : names.sort();
      }
      for (let o = 0; o < n; o += buf.readUInt16LE(o + D_RECLEN)) {
        const start = o + D_NAME;
        const end = buf.indexOf(0, start);
        if (buf[start] === DOT && (end === start + 1 || (end === start + 2 && buf[start + 1] === DOT))) continue;
        names.push(buf.toString('utf8', start, end));
      }
    }
  }
}
