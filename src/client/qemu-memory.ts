/**
 * How much memory a QEMU command line will pin for VFIO DMA: all guest RAM plus
 * firmware. Measured in the test guest: `-m 64` needed exactly 65792 KiB of
 * RLIMIT_MEMLOCK (64 MiB + 256 KiB of BIOS). The launcher uses this to say, before
 * QEMU fails with "vfio_container_dma_map(...) = -12", which setting to change.
 */
export const MiB = 1024n * 1024n;
/** QEMU's default RAM size when no -m is given (x86 machines). */
const QEMU_DEFAULT_RAM = 128n * MiB;
/** Firmware (SeaBIOS 256 KiB; OVMF is larger): a margin, not an exact figure. */
export const FIRMWARE_MARGIN = 4n * MiB;

/** Parse QEMU's -m (`64`, `64M`, `2G`, `size=1G,slots=2,maxmem=4G`) into bytes; undefined when absent. */
export function qemuRamBytes(argv: string[]): bigint | undefined {
  let spec: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-m' || argv[i] === '--m') spec = argv[i + 1];
    else if (argv[i].startsWith('-m=')) spec = argv[i].slice(3);
  }
  if (spec === undefined) return undefined;
  const size = spec.split(',').map((p) => (p.startsWith('size=') ? p.slice(5) : p)).find((p) => !p.includes('='));
  const m = /^(\d+)([kKmMgGtT]?)[bB]?$/.exec(size ?? '');
  if (!m) return undefined;
  const unit = { '': MiB, k: 1024n, m: MiB, g: 1024n * MiB, t: 1024n * 1024n * MiB }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return BigInt(m[1]) * unit;
}

/** Bytes this QEMU will pin: RAM (default 128 MiB) plus a firmware margin. */
export function qemuPinnedBytes(argv: string[]): bigint {
  return (qemuRamBytes(argv) ?? QEMU_DEFAULT_RAM) + FIRMWARE_MARGIN;
}

export function formatBytes(n: bigint): string {
  if (n >= 1024n * MiB && n % (1024n * MiB) === 0n) return `${n / (1024n * MiB)} GiB`;
  if (n >= MiB) return `${(Number(n) / Number(MiB)).toFixed(n % MiB === 0n ? 0 : 1)} MiB`;
  return `${n / 1024n} KiB`;
}
