/**
 * Who is at the other end of a Unix socket, taken once when the connection is
 * accepted and kept with it: SO_PEERCRED (pid, uid, gid), SO_PEERGROUPS (the
 * supplementary groups the kernel recorded at connect()), and the process's
 * start time and exe. Nothing is read from /proc per call, so a pid that is
 * reused by another user's process after the peer exits never lends that
 * process's groups to the connection. SO_PEERPIDFD (Linux 6.5) tells whether
 * the peer still lived while its start time was read; without it the start
 * time alone pins the process.
 */
import { realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { SOL_SOCKET, SO_PEERGROUPS, SO_PEERPIDFD } from './constants.js';
import { SysError } from './sys-error.js';
import { peerCred, type PeerCred } from './peercred.js';

export interface PeerIdentity extends PeerCred {
  groups: number[];
  /** Process start time; "gone" when the peer had exited before it could be read. */
  startTime?: string;
  exe?: string;
}

/** What the daemon reads about a live pid (real /proc, or a test's stand-in). */
export type DescribePid = (pid: number) => { exe?: string; startTime?: string };

/** Most supplementary groups a process can have (NGROUPS_MAX). */
const NGROUPS_MAX = 65536;
const SYS_pidfd_send_signal = 424;

export function peerGroups(fd: number, libc: RawLibc = realLibc()): number[] {
  let size = 64 * 4;
  for (;;) {
    const val = Buffer.alloc(size);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(size);
    const r = libc.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, val, len);
    if (r === -1) {
      const errno = libc.errno();
      // ERANGE: more groups than fit; len now says how many bytes are needed.
      if (new SysError('getsockopt(SO_PEERGROUPS)', errno).code === 'ERANGE' && size < NGROUPS_MAX * 4) {
        size = Math.max(len.readUInt32LE(0), size * 2);
        continue;
      }
      throw new SysError('getsockopt(SO_PEERGROUPS)', errno);
    }
    const n = len.readUInt32LE(0) / 4;
    return Array.from({ length: n }, (_, i) => val.readUInt32LE(i * 4));
  }
}

/** The peer's pidfd, or null where the kernel has no SO_PEERPIDFD. */
export function peerPidfd(fd: number, libc: RawLibc = realLibc()): OwnedFd | null {
  const val = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4);
  if (libc.getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, val, len) === -1) {
    const code = new SysError('getsockopt(SO_PEERPIDFD)', libc.errno()).code;
    if (code === 'ENOPROTOOPT' || code === 'EINVAL') return null;
    throw new SysError('getsockopt(SO_PEERPIDFD)', libc.errno());
  }
  return new OwnedFd(val.readInt32LE(0), 'peer pidfd', libc);
}

/**
 * Whether the process behind a pidfd still runs (signal 0 delivers nothing).
 * Only ESRCH means gone: EPERM (a daemon without CAP_KILL, as the unit runs it)
 * means the process is there but may not be signalled.
 */
export function pidfdAlive(pidfd: OwnedFd, libc: RawLibc = realLibc()): boolean {
  if (Number(libc.syscall4(SYS_pidfd_send_signal, pidfd.fd, 0, 0, 0)) === 0) return true;
  return new SysError('pidfd_send_signal', libc.errno()).code !== 'ESRCH';
}

export function identifyPeer(fd: number, describe: DescribePid, libc: RawLibc = realLibc()): PeerIdentity {
  const cred = peerCred(fd, libc);
  const groups = peerGroups(fd, libc);
  const pidfd = peerPidfd(fd, libc);
  try {
    const { exe, startTime } = describe(cred.pid);
    // Read while the peer lived, or the pid may already name someone else.
    if (pidfd && !pidfdAlive(pidfd, libc)) return { ...cred, groups, startTime: 'gone' };
    return { ...cred, groups, exe, startTime };
  } finally {
    pidfd?.close();
  }
}
