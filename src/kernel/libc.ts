/**
 * The libc boundary. Everything the daemon asks of the kernel goes through one of
 * these raw functions, declared once through koffi.
 *
 * `RawLibc` is the seam for unit tests: a fake implements the same shape (return -1
 * and set `errno()` to fail) and the classes above it cannot tell the difference.
 * Nothing above this file calls koffi for syscalls.
 *
 * ioctl is declared with fixed prototypes rather than as variadic: on x86-64 and
 * arm64 SysV the calling convention for integer/pointer varargs is the same as for
 * fixed args, and fixed prototypes make it impossible to forget the type of an
 * extra argument.
 */
import koffi from 'koffi';
import { SysError } from './sys-error.js';

/** An opaque native pointer (koffi External) as returned by mmap. */
export type NativePointer = unknown;

export interface RawLibc {
  errno(): number;
  open(path: string, flags: number, mode: number): number;
  close(fd: number): number;
  /** ioctl whose third argument points at a struct we own. */
  ioctlPtr(fd: number, req: number, arg: Buffer | null): number;
  /** ioctl whose third argument is a plain integer (e.g. VFIO_SET_IOMMU's type). */
  ioctlInt(fd: number, req: number, arg: number): number;
  /** ioctl whose third argument is a NUL-terminated string (VFIO_GROUP_GET_DEVICE_FD). */
  ioctlStr(fd: number, req: number, arg: string): number;
  pread(fd: number, buf: Buffer, count: number, offset: number): number;
  pwrite(fd: number, buf: Buffer, count: number, offset: number): number;
  mmap(addr: null, length: number, prot: number, flags: number, fd: number, offset: number): NativePointer;
  munmap(addr: NativePointer, length: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  accept4(fd: number, addr: Buffer | null, len: Buffer | null, flags: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  /** msghdr is passed as a raw buffer whose pointers the caller filled in (see fd channel). */
  sendmsg(fd: number, msghdr: Buffer, flags: number): number;
  recvmsg(fd: number, msghdr: Buffer, flags: number): number;
  /** recvmmsg(2): up to `vlen` datagrams into an array of struct mmsghdr (no timeout). */
  recvmmsg(fd: number, msgvec: Buffer, vlen: number, flags: number): number;
  getsockopt(fd: number, level: number, name: number, val: Buffer, len: Buffer): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  eventfd(initval: number, flags: number): number;
  /** prlimit(2); the limit buffers are struct rlimit64 (two u64). */
  prlimit(pid: number, resource: number, newLimit: Buffer | null, oldLimit: Buffer | null): number;
  pidfdOpen(pid: number, flags: number): number;
  /** A raw four-argument syscall (pidfd_send_signal has no libc wrapper in bookworm's glibc). */
  syscall4(nr: number, a: number, b: number, c: number, d: number): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  dup(fd: number): number;
  dup3(oldfd: number, newfd: number, flags: number): number;
  read(fd: number, buf: Buffer, count: number): number;
  write(fd: number, buf: Buffer, count: number): number;
  /** The address of a Buffer's bytes, for building structs that point at other buffers. */
  address(buf: Buffer): bigint;
  /** An ArrayBuffer over native memory (an mmap'd BAR, for example). */
  view(ptr: NativePointer, length: number): ArrayBuffer;
  pointerAddress(ptr: NativePointer): bigint;
}

const SYS_pidfd_open = 434; // same number on x86-64 and arm64 (unified syscall table)

let real: RawLibc | undefined;
let libcHandle: ReturnType<typeof koffi.load> | undefined;

function libcLib(): ReturnType<typeof koffi.load> {
  libcHandle ??= koffi.load('libc.so.6');
  return libcHandle;
}

/** The real libc, loaded on first use so that importing this module never touches the system. */
export function realLibc(): RawLibc {
  if (real) return real;
  const lib = libcLib();
  const f = (decl: string) => lib.func(decl);
  const ioctlPtr = f('int ioctl(int fd, unsigned long req, void *arg)');
  const ioctlInt = lib.func('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']);
  const ioctlStr = lib.func('ioctl', 'int', ['int', 'unsigned long', 'str']);
  const syscall3 = lib.func('syscall', 'long', ['long', 'long', 'long']);
  const syscall5 = lib.func('syscall', 'long', ['long', 'long', 'long', 'long', 'long']);
  const fcntl = lib.func('fcntl', 'int', ['int', 'int', 'long']);
  real = {
    errno: () => koffi.errno(),
    open: f('int open(const char *path, int flags, int mode)'),
    close: f('int close(int fd)'),
    ioctlPtr,
    ioctlInt,
    ioctlStr,
    pread: f('long pread(int fd, void *buf, size_t count, long offset)'),
    pwrite: f('long pwrite(int fd, const void *buf, size_t count, long offset)'),
    mmap: f('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)'),
    munmap: f('int munmap(void *addr, size_t length)'),
    socket: f('int socket(int domain, int type, int protocol)'),
    bind: f('int bind(int fd, const void *addr, uint32_t len)'),
    listen: f('int listen(int fd, int backlog)'),
    accept4: f('int accept4(int fd, void *addr, void *len, int flags)'),
    connect: f('int connect(int fd, const void *addr, uint32_t len)'),
    sendmsg: f('long sendmsg(int fd, const void *msg, int flags)'),
    recvmsg: f('long recvmsg(int fd, void *msg, int flags)'),
    recvmmsg: (() => {
      const recvmmsg = f('int recvmmsg(int fd, void *msgvec, unsigned int vlen, int flags, void *timeout)');
      return (fd: number, msgvec: Buffer, vlen: number, flags: number) => recvmmsg(fd, msgvec, vlen, flags, null);
    })(),
    getsockopt: f('int getsockopt(int fd, int level, int name, void *val, void *len)'),
    setsockopt: f('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)'),
    eventfd: f('int eventfd(unsigned int initval, int flags)'),
    prlimit: f('int prlimit64(int pid, int resource, const void *newlim, void *oldlim)'),
    pidfdOpen: (pid, flags) => Number(syscall3(SYS_pidfd_open, pid, flags)),
    syscall4: (nr, a, b, c, d) => Number(syscall5(nr, a, b, c, d)),
    fcntl,
    dup: f('int dup(int fd)'),
    dup3: f('int dup3(int oldfd, int newfd, int flags)'),
    read: f('long read(int fd, void *buf, size_t count)'),
    write: f('long write(int fd, const void *buf, size_t count)'),
    address: (buf) => koffi.address(buf),
    view: (ptr, length) => koffi.view(ptr, length),
    pointerAddress: (ptr) => (ptr === null ? 0n : koffi.address(ptr)),
  };
  return real;
}

let trim: ((pad: number) => number) | null | undefined;

/**
 * glibc's malloc_trim(0): gives the free pages inside malloc's heap back to the
 * kernel. Node never calls it, and after a burst of connections (HTTP/2 session
 * and stream buffers) glibc kept 20+ MB of freed memory resident for good,
 * fragmented so that the usual trim at the top of the heap could not return it.
 * False where there is no such call (not glibc).
 */
export function mallocTrim(): boolean {
  if (trim === undefined) {
    try {
      trim = libcLib().func('int malloc_trim(size_t pad)') as (pad: number) => number;
    } catch {
      trim = null;
    }
  }
  return trim ? trim(0) === 1 : false;
}

/**
 * What the sysfs inventory reads with: plain open/read/close, readlink and
 * getdents64, which fail by returning -1 where node:fs would build and throw an
 * Error (most of a scan's cost when a device lacks an attribute: an unbound
 * device has no driver link, a group rarely has a name). Separate from RawLibc,
 * whose fake stands for the VFIO kernel, not for a file tree: the inventory's
 * tests run it on a real synthetic tree (test/fixtures/fake-sysfs.ts).
 */
export interface FsLibc {
  /** Paths are NUL-terminated bytes, so a caller can encode a directory once and reuse it. */
  open(path: Buffer, flags: number, mode: number): number;
  read(fd: number, buf: Buffer, count: number): number;
  close(fd: number): number;
  readlink(path: Buffer, buf: Buffer, size: number): number;
  /** null when libc lacks the wrapper (glibc before 2.30): the caller lists directories with node:fs. */
  getdents64: ((fd: number, buf: Buffer, size: number) => number) | null;
}

let realFs: FsLibc | undefined;

export function realFsLibc(): FsLibc {
  if (realFs) return realFs;
  const lib = libcLib();
  const libc = realLibc();
  let getdents64: FsLibc['getdents64'] = null;
  try {
    getdents64 = lib.func('long getdents64(int fd, void *buf, size_t count)');
  } catch { /* an older glibc */ }
  realFs = {
    open: lib.func('int open(const void *path, int flags, int mode)'),
    read: libc.read,
    close: libc.close,
    readlink: lib.func('long readlink(const void *path, void *buf, size_t size)'),
    getdents64,
  };
  return realFs;
}

/** Throw a SysError for a -1 return, reading errno immediately (only valid right after a failed call). */
export function check(libc: RawLibc, op: string, ret: number | bigint): number {
  const n = Number(ret);
  if (n === -1) throw new SysError(op, libc.errno());
  return n;
}
