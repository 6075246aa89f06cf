/**
 * The file reads of an inventory scan, made the way the C walker makes them
 * (bench/c/sysfs-walk.c): one open/read/close per attribute into a reused
 * buffer, one readlink per link, getdents64 for a listing. node:fs costs more
 * per file than the syscalls do: readFileSync adds an fstat and a second read,
 * and every fs call validates its arguments and options; above all, a missing
 * file (no driver link on an unbound device, no vfio-dev/, no group name) is an
 * Error built and thrown, which V8 charges more for than the failed open. Here
 * a missing file is a -1 return and an undefined or null.
 *
 * Files are named as a directory and a SysfsName in it: the directory's bytes
 * are encoded once per directory and each name's once for good, so a device's
 * dozen reads pass libc one reused path buffer instead of a dozen new strings
 * to flatten and encode.
 */
import fs from 'node:fs';
import path from 'node:path';
import { O_CLOEXEC, O_RDONLY } from '../constants.js';
import { realFsLibc, type FsLibc } from '../libc.js';

/** struct linux_dirent64: d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8), then d_name. */
const D_RECLEN = 16;
const D_NAME = 19;
const DOT = 0x2e;
const SLASH = 0x2f;
// No O_DIRECTORY for listings (its value differs between x86-64 and arm64):
// getdents64 on anything else fails with ENOTDIR, which is the same null.
const OPEN_FLAGS = O_RDONLY | O_CLOEXEC;
/** Longer paths (PATH_MAX is 4096) are refused by the kernel anyway. */
const PATH_BYTES = 8192;

// Buffer's own decoder, without toString's encoding lookup and range checks
// (it is on Buffer.prototype in every Node; the types do not declare it).
type Slice = (this: Buffer, start: number, end: number) => string;
const protoSlice = (Buffer.prototype as unknown as { utf8Slice?: Slice }).utf8Slice;
const utf8Slice: Slice = protoSlice ?? function (this: Buffer, start, end) { return this.toString('utf8', start, end); };

/** JavaScript's trim() for ASCII: tab, LF, VT, FF, CR, space. */
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** A file name, encoded once: "/name\0" (the directory itself for ''). */
export class SysfsName {
  readonly bytes: Buffer;

  constructor(readonly name: string) {
    if (name.length > 255 || name.includes('\0') || name.includes('/')) throw new Error(`not a file name: ${JSON.stringify(name)}`);
    this.bytes = Buffer.from(name === '' ? '\0' : `/${name}\0`, 'utf8');
  }
}

/** The directory itself. */
export const SELF = new SysfsName('');

export class SysfsFiles {
  readonly #libc: FsLibc;
  /** Shared by every read: all of them are synchronous and copy out what they return. */
  #buf = Buffer.allocUnsafe(32768);
  #path = Buffer.allocUnsafe(PATH_BYTES);
  /** The directory whose bytes #path starts with, and their length. */
  #dir: string | null = null;
  #dirLen = 0;

  constructor(libc: FsLibc = realFsLibc()) {
    this.#libc = libc;
  }

  /** dir/name, NUL-terminated in the shared path buffer; null when it cannot be a path. */
  private path(dir: string, name: SysfsName): Buffer | null {
    const out = this.#path;
    if (dir !== this.#dir) {
      this.#dir = null;
      // Room for the name after it (at most 255 characters of 3 bytes).
      if (dir.length * 3 > PATH_BYTES - 1024 || dir.includes('\0')) return null;
      this.#dirLen = out.write(dir, 0, 'utf8');
      this.#dir = dir;
    }
    // A few bytes: a loop beats Buffer.copy's checks.
    const b = name.bytes;
    for (let i = 0, at = this.#dirLen; i < b.length; i++, at++) out[at] = b[i];
    return out;
  }

  /** An attribute's text, trimmed; undefined when it is missing or unreadable (as readFileSync failing). */
  attr(dir: string, name: SysfsName): string | undefined {
    const libc = this.#libc;
    const p = this.path(dir, name);
    if (p === null) return undefined;
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
    if (n < 0) return undefined;
    // Trim the newline before decoding rather than after: one string, not two.
    let start = 0;
    while (n > start && isSpace(buf[n - 1])) n--;
    while (start < n && isSpace(buf[start])) start++;
    const s = utf8Slice.call(buf, start, n);
    // trim() also knows Unicode spaces; only text with non-ASCII ends can have them.
    return s.length > 0 && (s.charCodeAt(0) > 0x7f || s.charCodeAt(s.length - 1) > 0x7f) ? s.trim() : s;
  }

  /** Length of the target of the symlink dir/name in #buf, or -1 (missing, or not a link). */
  private readlink(dir: string, name: SysfsName): number {
    const p = this.path(dir, name);
    if (p === null) return -1;
    const n = this.#libc.readlink(p, this.#buf, this.#buf.length);
    // The buffer is eight times PATH_MAX: a full one cannot happen, but would be a truncated target.
    return n >= this.#buf.length ? -1 : n;
  }

  /** A symlink's target as written, or null (missing, or not a link). */
  link(dir: string, name: SysfsName): string | null {
    const n = this.readlink(dir, name);
    return n < 0 ? null : utf8Slice.call(this.#buf, 0, n);
  }

  /** The last component of a symlink's target (a driver's, a bus's, a group's name), or null. */
  linkBase(dir: string, name: SysfsName): string | null {
    const n = this.readlink(dir, name);
    if (n < 0) return null;
    const buf = this.#buf;
    let i = n;
    while (i > 0 && buf[i - 1] !== SLASH) i--;
    // A trailing slash (never in sysfs) is basename's to handle.
    return i < n ? utf8Slice.call(buf, i, n) : path.basename(utf8Slice.call(buf, 0, n));
  }

  /** dir/name's entries, sorted as readdirSync sorts them (libuv's scandir), without . and ..; null when it cannot be listed. */
  list(dir: string, name: SysfsName): string[] | null {
    const libc = this.#libc;
    if (!libc.getdents64) {
      try {
        return fs.readdirSync(name === SELF ? dir : `${dir}/${name.name}`);
      } catch {
        return null;
      }
    }
    const p = this.path(dir, name);
    if (p === null) return null;
    const fd = libc.open(p, OPEN_FLAGS, 0);
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
        let end = start;
        while (buf[end] !== 0) end++;
        if (buf[start] === DOT && (end === start + 1 || (end === start + 2 && buf[start + 1] === DOT))) continue;
        names.push(utf8Slice.call(buf, start, end));
      }
    }
  }
}
