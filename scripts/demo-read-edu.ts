/**
 * The demo's "VMM": a program started by vfio-broker-exec as uid 65534. It finds
 * its device fd in VFIO_DEVICE_FDS, maps BAR0 and reads edu's ID register, then
 * shows the lease from the operator's side while it still holds it.
 */
import { execFileSync } from 'node:child_process';
import { OwnedFd } from '../src/kernel/owned-fd.js';
import { Device } from '../src/kernel/vfio/device.js';

const bdf = process.argv[2];
const fds = Object.fromEntries((process.env.VFIO_DEVICE_FDS ?? '').split(',').filter(Boolean).map((p) => p.split('=')));
console.log(`   running as uid ${process.getuid!()}, inherited: VFIO_CONTAINER_FD=${process.env.VFIO_CONTAINER_FD} VFIO_GROUP_FDS=${process.env.VFIO_GROUP_FDS} VFIO_DEVICE_FDS=${process.env.VFIO_DEVICE_FDS}`);
const dev = Device.fromFd(new OwnedFd(Number(fds[bdf]), bdf), bdf);
const bar0 = dev.mapRegion(0);
console.log(`   edu ID register (BAR0 + 0) = 0x${bar0.read32(0).toString(16).padStart(8, '0')}   (0x010000ed is edu's)`);
bar0.unmap();
console.log('\n\x1b[1m== 5. While the program runs, the operator sees its lease\x1b[0m');
console.log('$ vfio-brokerctl leases');
process.stdout.write(execFileSync('vfio-brokerctl', ['leases'], { encoding: 'utf8' }));
