import t from 'tap';
import { FIRMWARE_MARGIN, formatBytes, qemuPinnedBytes, qemuRamBytes } from '../../src/client/qemu-memory.js';

const MiB = 1024n * 1024n;

t.test('QEMU -m forms', async (t) => {
  t.equal(qemuRamBytes(['qemu', '-m', '64']), 64n * MiB, 'plain number is MiB');
  t.equal(qemuRamBytes(['qemu', '-m', '2G']), 2048n * MiB);
  t.equal(qemuRamBytes(['qemu', '-m', '512M']), 512n * MiB);
  t.equal(qemuRamBytes(['qemu', '-m', 'size=1G,slots=2,maxmem=4G']), 1024n * MiB);
  t.equal(qemuRamBytes(['qemu', '-m', 'slots=2,size=256m']), 256n * MiB);
  t.equal(qemuRamBytes(['qemu', '-m', '1024k']), MiB);
  t.equal(qemuRamBytes(['qemu', '-m', '1', '-m', '128']), 128n * MiB, 'the last -m wins, as in QEMU');
  t.equal(qemuRamBytes(['qemu']), undefined);
  t.equal(qemuRamBytes(['qemu', '-m', 'lots']), undefined);
  t.equal(qemuPinnedBytes(['qemu']), 128n * MiB + FIRMWARE_MARGIN, "QEMU's default RAM");
  t.equal(qemuPinnedBytes(['qemu', '-m', '64']), 64n * MiB + FIRMWARE_MARGIN);
});

t.test('formatting', async (t) => {
  t.equal(formatBytes(8n * MiB), '8 MiB');
  t.equal(formatBytes(68n * MiB + MiB / 2n), '68.5 MiB');
  t.equal(formatBytes(4096n * MiB), '4 GiB');
  t.equal(formatBytes(512n * 1024n), '512 KiB');
});
