/**
 * The other half of the fd store: on start, systemd passes the stored fds as
 * LISTEN_FDS (count, starting at fd 3), LISTEN_FDNAMES (colon-separated names)
 * and LISTEN_PID (must be us). They are taken over exactly once, marked
 * close-on-exec, and the variables are removed so no child inherits them.
 */
import { check, realLibc, type RawLibc } from './libc.js';
import { OwnedFd } from './owned-fd.js';
import { FD_CLOEXEC, F_SETFD } from './constants.js';

export const SD_LISTEN_FDS_START = 3;

export interface ListenFd {
  name: string;
  fd: OwnedFd;
}

export function takeListenFds(env: NodeJS.ProcessEnv = process.env, pid = process.pid, libc?: RawLibc): ListenFd[] {
  const count = Number(env.LISTEN_FDS ?? 0);
  const forUs = env.LISTEN_PID !== undefined && Number(env.LISTEN_PID) === pid;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  if (!forUs || !Number.isInteger(count) || count <= 0) return [];
  const l = libc ?? realLibc();
  const out: ListenFd[] = [];
  for (let i = 0; i < count; i++) {
    const n = SD_LISTEN_FDS_START + i;
    check(l, `fcntl(${n}, F_SETFD, FD_CLOEXEC)`, l.fcntl(n, F_SETFD, FD_CLOEXEC));
    out.push({ name: names[i] || 'unknown', fd: new OwnedFd(n, `fd store: ${names[i] || 'unknown'}`, l) });
  }
  return out;
}
