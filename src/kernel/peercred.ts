/**
 * SO_PEERCRED: the kernel's word on who is at the other end of a Unix socket
 * (pid, uid, gid as of connect()). Every caller is authenticated this way; the
 * daemon never trusts anything a client says about itself.
 */
import type net from 'node:net';
import { check, realLibc, type RawLibc } from './libc.js';
import { SOL_SOCKET, SO_PEERCRED } from './constants.js';

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

export function peerCred(fd: number, libc: RawLibc = realLibc()): PeerCred {
  const val = Buffer.alloc(12); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
  const len = Buffer.alloc(4);
  len.writeUInt32LE(12);
  check(libc, 'getsockopt(SO_PEERCRED)', libc.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, val, len));
  return { pid: val.readInt32LE(0), uid: val.readUInt32LE(4), gid: val.readUInt32LE(8) };
}

/**
 * The fd behind a Node net.Socket. Node does not expose it publicly; libuv's pipe
 * handle carries it as `_handle.fd` on Unix, which is stable across Node 12–22.
 * Fail loudly rather than authenticate nobody if that ever changes.
 */
export function socketFd(sock: net.Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('cannot find the fd of a net.Socket (Node internals changed?): refusing an unauthenticated connection');
  return fd;
}

export function peerCredOfSocket(sock: net.Socket, libc: RawLibc = realLibc()): PeerCred {
  return peerCred(socketFd(sock), libc);
}
