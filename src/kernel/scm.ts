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

/** Reusable scratch buffers so the hot path allocates nothing per message. */
export class ScmBuffers {
  readonly msghdr = Buffer.alloc(MSGHDR_SIZE);
  readonly iov = Buffer.alloc(16);
  readonly control: Buffer;
  readonly data: Buffer;

  constructor(maxData = 65536, maxFds = SCM_MAX_FD) {
    this.data = Buffer.alloc(maxData);
    this.control = Buffer.alloc(cmsgSpace(maxFds));
  }
}

function fill(libc: RawLibc, b: ScmBuffers, data: Buffer, dataLen: number, control: Buffer | null, controlLen: number): void {
  b.msghdr.fill(0);
  b.iov.writeBigUInt64LE(libc.address(data), 0);
  b.iov.writeBigUInt64LE(BigInt(dataLen), 8);
  b.msghdr.writeBigUInt64LE(libc.address(b.iov), 16);
  b.msghdr.writeBigUInt64LE(1n, 24);
  if (control && controlLen > 0) {
    b.msghdr.writeBigUInt64LE(libc.address(control), 32);
    b.msghdr.writeBigUInt64LE(BigInt(controlLen), 40);
  }
}

/**
 * Send one datagram with `fds` attached. Returns false when the socket is full
 * (EAGAIN), so the caller can queue and retry; throws SysError otherwise.
 */
export function sendWithFds(libc: RawLibc, sock: number, data: Buffer, fds: number[], b: ScmBuffers): boolean {
  if (fds.length > SCM_MAX_FD) throw new RangeError(`at most ${SCM_MAX_FD} fds per message, got ${fds.length}`);
  let controlLen = 0;
  if (fds.length) {
    controlLen = cmsgSpace(fds.length);
    b.control.fill(0, 0, controlLen);
    b.control.writeBigUInt64LE(BigInt(CMSG_HDR + fds.length * 4), 0);
    b.control.writeInt32LE(SOL_SOCKET, 8);
    b.control.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((fd, i) => b.control.writeInt32LE(fd, CMSG_HDR + i * 4));
  }
  fill(libc, b, data, data.length, b.control, controlLen);
  const r = Number(libc.sendmsg(sock, b.msghdr, MSG_NOSIGNAL | MSG_DONTWAIT));
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
  fill(libc, b, b.data, b.data.length, b.control, b.control.length);
  const n = Number(libc.recvmsg(sock, b.msghdr, MSG_CMSG_CLOEXEC | MSG_DONTWAIT));
  if (n === -1) {
    const errno = libc.errno();
    // Every drain ends in EAGAIN: building an Error for it cost ~3 µs per wake-up (bench/fd-delivery).
    if (errno === EAGAIN) return null;
    throw new SysError('recvmsg', errno);
  }
  const fds = parseRights(libc, b.control, Number(b.msghdr.readBigUInt64LE(40)));
  const flags = b.msghdr.readInt32LE(48);
  if (flags & (MSG_CTRUNC | MSG_TRUNC)) {
    for (const f of fds) f.close();
    throw new SysError(flags & MSG_CTRUNC ? 'recvmsg: control data truncated (MSG_CTRUNC), fds lost' : 'recvmsg: datagram truncated (MSG_TRUNC)', 90 /* EMSGSIZE */);
  }
  if (n === 0 && fds.length === 0) return 'eof';
  return { data: Buffer.from(b.data.subarray(0, n)), fds };
}

function parseRights(libc: RawLibc, control: Buffer, len: number): OwnedFd[] {
  const out: OwnedFd[] = [];
  for (let off = 0; off + CMSG_HDR <= len;) {
    const cmsgLen = Number(control.readBigUInt64LE(off));
    if (cmsgLen < CMSG_HDR || off + cmsgLen > len) break;
    const level = control.readInt32LE(off + 8);
    const type = control.readInt32LE(off + 12);
    const count = level === SOL_SOCKET && type === SCM_RIGHTS ? (cmsgLen - CMSG_HDR) >> 2 : 0;
    for (let i = 0; i < count; i++) out.push(new OwnedFd(control.readInt32LE(off + CMSG_HDR + i * 4), 'received fd', libc));
    off += align8(cmsgLen);
  }
  return out;
}

