/** struct sockaddr_un, shared by every Unix-socket user in the kernel layer. */
import { AF_UNIX } from './constants.js';

/** struct sockaddr_un for a path or an abstract name; returns the buffer and its length. */
export function sockaddrUn(p: string): { addr: Buffer; len: number } {
  const abstract = p.startsWith('@');
  const name = Buffer.from(abstract ? p.slice(1) : p);
  if (name.length > 107) throw new RangeError(`socket path too long: ${p}`);
  const addr = Buffer.alloc(110);
  addr.writeUInt16LE(AF_UNIX, 0);
  // Abstract names start with a NUL byte and are not NUL-terminated.
  name.copy(addr, abstract ? 3 : 2);
  return { addr, len: 2 + (abstract ? 1 : 0) + name.length + (abstract ? 0 : 1) };
}
