/** Linux x86-64/arm64 generic constants used across the kernel layer. */
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;

export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_PEERCRED = 17;
export const SO_SNDBUF = 7;
export const SCM_RIGHTS = 1;
export const MSG_DONTWAIT = 0x40;
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CMSG_CLOEXEC = 0x40000000;

export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

export const RLIMIT_MEMLOCK = 8;
export const RLIM_INFINITY = 0xffffffffffffffffn;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 0x20;
export const MAP_FAILED = 0xffffffffffffffffn;
/** Supplementary groups of the peer as of connect() (Linux 4.13). */
export const SO_PEERGROUPS = 59;
/** A pidfd for the peer process as of connect() (Linux 6.5). */
export const SO_PEERPIDFD = 77;
