/**
 * A mapping of device or anonymous memory, unmapped exactly once. Register
 * accesses go through a Uint32Array over the mapping, which V8 compiles to
 * aligned 4-byte loads and stores: devices such as QEMU's edu ignore accesses of
 * other widths to their registers.
 */
import { check, realLibc, type NativePointer, type RawLibc } from './libc.js';
import { MAP_ANONYMOUS, MAP_FAILED, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './constants.js';
import { SysError } from './sys-error.js';

export class MmapRegion {
  readonly length: number;
  readonly address: bigint;
  #ptr: NativePointer | null;
  #u32: Uint32Array | null;
  #bytes: Uint8Array | null;
  #libc: RawLibc;
  readonly label: string;

  private constructor(ptr: NativePointer, length: number, label: string, libc: RawLibc) {
    this.#ptr = ptr;
    this.length = length;
    this.label = label;
    this.#libc = libc;
    this.address = libc.pointerAddress(ptr);
    const ab = libc.view(ptr, length);
    this.#u32 = new Uint32Array(ab);
    this.#bytes = new Uint8Array(ab);
  }

  /** mmap(fd, offset) shared, read/write: a device region. */
  static ofFd(fd: number, offset: number, length: number, label: string, libc: RawLibc = realLibc()): MmapRegion {
    const p = libc.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    if (p === null || libc.pointerAddress(p) === MAP_FAILED) throw new SysError(`mmap(${label})`, libc.errno());
    return new MmapRegion(p, length, label, libc);
  }

  /** Anonymous private memory: a DMA buffer. */
  static anonymous(length: number, label = 'anonymous memory', libc: RawLibc = realLibc()): MmapRegion {
    const p = libc.mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p === null || libc.pointerAddress(p) === MAP_FAILED) throw new SysError(`mmap(${label})`, libc.errno());
    return new MmapRegion(p, length, label, libc);
  }

  private get u32(): Uint32Array {
    if (!this.#u32) throw new Error(`${this.label}: already unmapped`);
    return this.#u32;
  }

  get bytes(): Uint8Array {
    if (!this.#bytes) throw new Error(`${this.label}: already unmapped`);
    return this.#bytes;
  }

  read32(offset: number): number {
    if (offset % 4 !== 0 || offset < 0 || offset + 4 > this.length) throw new RangeError(`${this.label}: bad 32-bit offset ${offset}`);
    return this.u32[offset / 4];
  }

  write32(offset: number, value: number): void {
    if (offset % 4 !== 0 || offset < 0 || offset + 4 > this.length) throw new RangeError(`${this.label}: bad 32-bit offset ${offset}`);
    this.u32[offset / 4] = value >>> 0;
  }

  /** A 64-bit register as two 32-bit stores, low half first (edu's DMA registers accept that). */
  write64(offset: number, value: bigint): void {
    this.write32(offset, Number(value & 0xffffffffn));
    this.write32(offset + 4, Number(value >> 32n));
  }

  unmap(): void {
    if (this.#ptr === null) return;
    const p = this.#ptr;
    this.#ptr = null;
    this.#u32 = null;
    this.#bytes = null;
    check(this.#libc, `munmap(${this.label})`, this.#libc.munmap(p, this.length));
  }
}
