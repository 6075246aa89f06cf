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

/** struct mmsghdr: a msghdr, then the received length (unsigned int), padded to 8. */
export const MMSGHDR_SIZE = 64;

/**
 * Reusable scratch buffers so the hot path allocates nothing per message. The
 * msghdr/iovec/cmsghdr live in one off-heap slab whose addresses never change,
 * so the pointers are written once (per libc) and a message only updates
 * lengths: no koffi.address() call and no BigInt per message (together a fifth
 * of the round trip's CPU in bench/fd-delivery before).
 *
 * Receiving has `slots` data/control pairs behind an mmsghdr array, for
 * recvmmsg; slot 0 (`data`, `control`, `recvHdr`) also serves recvmsg and send.
 */
export class ScmBuffers {
  readonly slots: number;
  readonly control: Buffer;
  readonly data: Buffer;
  /** msghdr for sendmsg: its iovec points at `data` (see setSendData), msg_control at `control`. */
  readonly sendHdr: Buffer;
  /** The mmsghdr array for recvmmsg, `slots` long; its first msghdr serves recvmsg. */
  readonly mmsg: Buffer;
  readonly recvHdr: Buffer;
  readonly slotData: Buffer[] = [];
  readonly slotControl: Buffer[] = [];
  readonly #iovSend: Buffer;
  readonly #iovRecv: Buffer[] = [];
  #preparedFor: RawLibc | null = null;
  #dataAddr = 0n;
  /** The send iovec points at a caller's buffer (one too big to copy), not `data`. */
  #sendElsewhere = false;

  constructor(maxData = 65536, maxFds = SCM_MAX_FD, slots = 1) {
    this.slots = slots;
    const ctl = cmsgSpace(maxFds);
    const data = Buffer.alloc(maxData * slots);
    const control = Buffer.alloc(ctl * slots);
    // Always > 64 bytes, so V8 keeps it off-heap from the start (small typed arrays may move).
    const slab = Buffer.alloc(MSGHDR_SIZE + 16 + slots * (MMSGHDR_SIZE + 16));
    this.sendHdr = slab.subarray(0, MSGHDR_SIZE);
    this.#iovSend = slab.subarray(MSGHDR_SIZE, MSGHDR_SIZE + 16);
    this.mmsg = slab.subarray(MSGHDR_SIZE + 16, MSGHDR_SIZE + 16 + slots * MMSGHDR_SIZE);
    for (let i = 0; i < slots; i++) {
      const iovAt = MSGHDR_SIZE + 16 + slots * MMSGHDR_SIZE + i * 16;
      this.#iovRecv.push(slab.subarray(iovAt, iovAt + 16));
      this.slotData.push(data.subarray(i * maxData, (i + 1) * maxData));
      this.slotControl.push(control.subarray(i * ctl, (i + 1) * ctl));
    }
    this.data = this.slotData[0];
    this.control = this.slotControl[0];
    this.recvHdr = this.mmsg.subarray(0, MSGHDR_SIZE);
  }

  /** Write the fixed pointers once; again only if another libc (a test fake) shows up. */
  prepare(libc: RawLibc): void {
    if (this.#preparedFor === libc) return;
    this.#dataAddr = libc.address(this.data);
    const point = (hdr: Buffer, iov: Buffer, data: Buffer, control: Buffer) => {
      hdr.fill(0, 0, MSGHDR_SIZE);
      hdr.writeBigUInt64LE(libc.address(iov), 16);
      hdr.writeBigUInt64LE(1n, 24);
      hdr.writeBigUInt64LE(libc.address(control), 32);
      iov.writeBigUInt64LE(libc.address(data), 0);
      iov.writeBigUInt64LE(BigInt(data.length), 8);
    };
    point(this.sendHdr, this.#iovSend, this.data, this.control);
    for (let i = 0; i < this.slots; i++) point(this.mmsg.subarray(i * MMSGHDR_SIZE), this.#iovRecv[i], this.slotData[i], this.slotControl[i]);
    this.#sendElsewhere = false;
    this.#preparedFor = libc;
  }

  /** Offer slot i's whole control buffer again (the kernel overwrote msg_controllen last time). */
  resetSlot(i: number): void {
    writeLength(this.mmsg, i * MMSGHDR_SIZE + 40, this.slotControl[i].length);
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
  b.resetSlot(0);
  const n = Number(libc.recvmsg(sock, b.recvHdr, MSG_CMSG_CLOEXEC | MSG_DONTWAIT));
  if (n === -1) {
    const errno = libc.errno();
    // Every drain ends in EAGAIN: building an Error for it cost ~3 µs per wake-up (bench/fd-delivery).
    if (errno === EAGAIN) return null;
    throw new SysError('recvmsg', errno);
  }
  const r = takeSlot(libc, b, 0, n);
  if (r instanceof Error) throw r;
  return r;
}

/**
 * Receive up to `b.slots` datagrams with one recvmmsg. Returns null on EAGAIN
 * (nothing waiting), otherwise what arrived in order: a message, 'eof' (the
 * last entry), or a SysError for a truncated datagram whose fds are already
 * closed. Fewer entries than slots means the queue was empty, so a reader
 * need not call again to meet EAGAIN: one call per wake-up instead of two.
 */
export function recvBatch(libc: RawLibc, sock: number, b: ScmBuffers): (Received | 'eof' | SysError)[] | null {
  b.prepare(libc);
  for (let i = 0; i < b.slots; i++) b.resetSlot(i);
  const n = libc.recvmmsg(sock, b.mmsg, b.slots, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n === -1) {
    const errno = libc.errno();
    if (errno === EAGAIN) return null;
    throw new SysError('recvmmsg', errno);
  }
  const out: (Received | 'eof' | SysError)[] = [];
  // Every slot is taken, even after an 'eof': an empty datagram is read as end of
  // stream, and fds in the datagrams after it are already in our table.
  for (let i = 0; i < n; i++) out.push(takeSlot(libc, b, i, b.mmsg.readUInt32LE(i * MMSGHDR_SIZE + MSGHDR_SIZE)));
  return out;
}

/** What slot i holds after a receive of n bytes: its fds owned, its data copied out. */
function takeSlot(libc: RawLibc, b: ScmBuffers, i: number, n: number): Received | 'eof' | SysError {
  const hdr = i * MMSGHDR_SIZE;
  const controlLen = b.mmsg.readUInt32LE(hdr + 40);
  const fds = controlLen ? parseRights(libc, b.slotControl[i], controlLen) : [];
  const flags = b.mmsg.readInt32LE(hdr + 48);
  if (flags & (MSG_CTRUNC | MSG_TRUNC)) {
    for (const f of fds) f.close();
    return new SysError(flags & MSG_CTRUNC ? 'recvmsg: control data truncated (MSG_CTRUNC), fds lost' : 'recvmsg: datagram truncated (MSG_TRUNC)', 90 /* EMSGSIZE */);
  }
  if (n === 0 && fds.length === 0) return 'eof';
  // allocUnsafe takes small sizes from Node's pool; every byte is overwritten at once.
  const data = Buffer.allocUnsafe(n);
  b.slotData[i].copy(data, 0, 0, n);
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

