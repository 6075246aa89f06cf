/**
 * sendmsg/recvmsg with SCM_RIGHTS, building struct msghdr, iovec and cmsghdr by
 * hand (x86-64 / arm64 LP64 layout). Buffers handed to the kernel are Node
 * Buffers, whose backing stores do not move, referenced through their addresses
 * for the duration of the call.
 */
import type { RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { SysError, errnoNumber } from './sys-error.js';
import { MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_TRUNC, SCM_RIGHTS, SOL_SOCKET } from './constants.js';

const EAGAIN = errnoNumber('EAGAIN');

export const SCM_MAX_FD = 253;
export const MSGHDR_SIZE = 56;
export const CMSG_HDR = 16;
const align8 = (n: number) => (n + 7) & ~7;
export const cmsgSpace = (fds: number) => CMSG_HDR + align8(fds * 4);

/**
 * Reusable scratch buffers so the hot path allocates nothing per message. The
 * msghdr/iovec/cmsghdr live in one off-heap slab whose addresses never change,
 * so the pointers in the two msghdrs are written once (per libc) and a message
 * only updates lengths: no koffi.address() call and no BigInt per message
 * (together a fifth of the round trip's CPU in bench/fd-delivery before).
 */
export class ScmBuffers {
  readonly control: Buffer;
  readonly data: Buffer;
  /** msghdr for sendmsg: its iovec points at `data` (see setSendData), msg_control at `control`. */
  readonly sendHdr: Buffer;
  /** msghdr for recvmsg: all of `data`, all of `control`. */
  readonly recvHdr: Buffer;
  readonly #iovSend: Buffer;
  readonly #iovRecv: Buffer;
  #preparedFor: RawLibc | null = null;
  #dataAddr = 0n;
  /** The send iovec points at a caller's buffer (one too big to copy), not `data`. */
  #sendElsewhere = false;

  constructor(maxData = 65536, maxFds = SCM_MAX_FD) {
    this.data = Buffer.alloc(maxData);
    this.control = Buffer.alloc(cmsgSpace(maxFds));
    // > 64 bytes, so V8 keeps it off-heap from the start (small typed arrays may move).
    const slab = Buffer.alloc(2 * MSGHDR_SIZE + 32);
    this.sendHdr = slab.subarray(0, MSGHDR_SIZE);
    this.recvHdr = slab.subarray(MSGHDR_SIZE, 2 * MSGHDR_SIZE);
    this.#iovSend = slab.subarray(2 * MSGHDR_SIZE, 2 * MSGHDR_SIZE + 16);
    this.#iovRecv = slab.subarray(2 * MSGHDR_SIZE + 16, 2 * MSGHDR_SIZE + 32);
  }

  /** Write the fixed pointers once; again only if another libc (a test fake) shows up. */
  prepare(libc: RawLibc): void {
    if (this.#preparedFor === libc) return;
    this.#dataAddr = libc.address(this.data);
    const control = libc.address(this.control);
    for (const [hdr, iov] of [[this.sendHdr, this.#iovSend], [this.recvHdr, this.#iovRecv]]) {
      hdr.fill(0);
      hdr.writeBigUInt64LE(libc.address(iov), 16);
      hdr.writeBigUInt64LE(1n, 24);
      hdr.writeBigUInt64LE(control, 32);
      iov.writeBigUInt64LE(this.#dataAddr, 0);
    }
    this.#iovRecv.writeBigUInt64LE(BigInt(this.data.length), 8);
    this.#sendElsewhere = false;
    this.#preparedFor = libc;
  }

  /**
   * Point the send iovec at `data`: copied into `this.data` when it fits (a few
   * hundred bytes cost less than a BigInt address); a larger one is referenced
   * where it is, the slow way. Valid until the next call.
   */
  setSendData(libc: RawLibc, data: Buffer): void {
    this.prepare(libc);
    if (data.length <= this.data.length) {
      data.copy(this.data, 0, 0, data.length);
      if (this.#sendElsewhere) this.#iovSend.writeBigUInt64LE(this.#dataAddr, 0);
      this.#sendElsewhere = false;
    } else {
      this.#iovSend.writeBigUInt64LE(libc.address(data), 0);
      this.#sendElsewhere = true;
    }
    writeLength(this.#iovSend, 8, data.length);
  }
}

/** A 64-bit length field without BigInt: lengths here never reach 2^32. */
function writeLength(buf: Buffer, off: number, n: number): void {
  buf.writeUInt32LE(n, off);
  buf.writeUInt32LE(0, off + 4);
}

/**
 * Send one datagram with `fds` attached. Returns false when the socket is full
 * (EAGAIN), so the caller can queue and retry; throws SysError otherwise.
 */
export function sendWithFds(libc: RawLibc, sock: number, data: Buffer, fds: readonly number[], b: ScmBuffers): boolean {
  if (fds.length > SCM_MAX_FD) throw new RangeError(`at most ${SCM_MAX_FD} fds per message, got ${fds.length}`);
  b.setSendData(libc, data);
  let controlLen = 0;
  if (fds.length) {
    if (cmsgSpace(fds.length) > b.control.length) throw new RangeError(`control buffer too small for ${fds.length} fds`);
    controlLen = cmsgSpace(fds.length);
    const c = b.control;
    writeLength(c, 0, CMSG_HDR + fds.length * 4);
    c.writeInt32LE(SOL_SOCKET, 8);
    c.writeInt32LE(SCM_RIGHTS, 12);
    for (let i = 0; i < fds.length; i++) c.writeInt32LE(fds[i], CMSG_HDR + i * 4);
    // The alignment padding after an odd number of fds goes out too: keep it zero.
    if (fds.length & 1) c.writeInt32LE(0, CMSG_HDR + fds.length * 4);
  }
  // msg_control stays set when there is nothing to send: a zero msg_controllen is what counts.
  writeLength(b.sendHdr, 40, controlLen);
  const r = Number(libc.sendmsg(sock, b.sendHdr, MSG_NOSIGNAL | MSG_DONTWAIT));
  if (r === -1) {
    const errno = libc.errno();
    // EAGAIN is the normal "full" case: no Error (and stack trace) for it.
    if (errno === EAGAIN) return false;
    throw new SysError('sendmsg(SCM_RIGHTS)', errno);
  }
  return true;
}

export interface Received {
  data: Buffer;
  fds: OwnedFd[];
}

/**
 * Receive one datagram. Returns null on EAGAIN, `{ data: empty, eof }` at end of
 * stream. Truncated payload or control data is an error, and every fd that did
 * arrive is closed first: nothing is silently lost or leaked.
 */
export function recvWithFds(libc: RawLibc, sock: number, b: ScmBuffers): Received | 'eof' | null {
  b.prepare(libc);
  const hdr = b.recvHdr;
  // The kernel overwrote msg_controllen (and msg_flags) last time: offer the whole buffer again.
  writeLength(hdr, 40, b.control.length);
  const n = Number(libc.recvmsg(sock, hdr, MSG_CMSG_CLOEXEC | MSG_DONTWAIT));
  if (n === -1) {
    const errno = libc.errno();
    // Every drain ends in EAGAIN: building an Error for it cost ~3 µs per wake-up (bench/fd-delivery).
    if (errno === EAGAIN) return null;
    throw new SysError('recvmsg', errno);
  }
  const controlLen = hdr.readUInt32LE(40);
  const fds = controlLen ? parseRights(libc, b.control, controlLen) : [];
  const flags = hdr.readInt32LE(48);
  if (flags & (MSG_CTRUNC | MSG_TRUNC)) {
    for (const f of fds) f.close();
    throw new SysError(flags & MSG_CTRUNC ? 'recvmsg: control data truncated (MSG_CTRUNC), fds lost' : 'recvmsg: datagram truncated (MSG_TRUNC)', 90 /* EMSGSIZE */);
  }
  if (n === 0 && fds.length === 0) return 'eof';
  // allocUnsafe takes small sizes from Node's pool; every byte is overwritten at once.
  const data = Buffer.allocUnsafe(n);
  b.data.copy(data, 0, 0, n);
  return { data, fds };
}

function parseRights(libc: RawLibc, control: Buffer, len: number): OwnedFd[] {
  const out: OwnedFd[] = [];
  for (let off = 0; off + CMSG_HDR <= len;) {
    // cmsg_len is 64-bit; the buffer is far below 4 GiB, so the low half is the value.
    const cmsgLen = control.readUInt32LE(off + 4) ? Infinity : control.readUInt32LE(off);
    if (cmsgLen < CMSG_HDR || off + cmsgLen > len) break;
    const level = control.readInt32LE(off + 8);
    const type = control.readInt32LE(off + 12);
    const count = level === SOL_SOCKET && type === SCM_RIGHTS ? (cmsgLen - CMSG_HDR) >> 2 : 0;
    for (let i = 0; i < count; i++) out.push(new OwnedFd(control.readInt32LE(off + CMSG_HDR + i * 4), 'received fd', libc));
    off += align8(cmsgLen);
  }
  return out;
}

