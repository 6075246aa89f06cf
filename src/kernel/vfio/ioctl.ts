import { check, type RawLibc } from '../libc.js';
import { ioctlName } from './uapi.js';

/** Run one ioctl on a struct buffer; failures name the ioctl and the object. */
export function ioctlStruct(libc: RawLibc, fd: number, req: number, buf: Buffer | null, what: string): number {
  return check(libc, `ioctl(${ioctlName(req)}, ${what})`, libc.ioctlPtr(fd, req, buf));
}

export function ioctlValue(libc: RawLibc, fd: number, req: number, arg: number, what: string): number {
  return check(libc, `ioctl(${ioctlName(req)}, ${what})`, libc.ioctlInt(fd, req, arg));
}
