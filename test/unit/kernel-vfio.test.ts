/**
 * The kernel layer's classes and their error paths, with a fake only at the libc
 * boundary (test/fixtures/fake-libc.ts). The guest suite runs the same classes on
 * the real kernel; here every errno the kernel can answer is forced on purpose.
 */
import t from 'tap';
import { FakeLibc } from '../fixtures/fake-libc.js';
import { Container } from '../../src/kernel/vfio/container.js';
import { Group } from '../../src/kernel/vfio/group.js';
import { Device } from '../../src/kernel/vfio/device.js';
import { Iommufd, VfioCdev } from '../../src/kernel/vfio/iommufd.js';
import { DeviceRequestWatch } from '../../src/kernel/vfio/device-request.js';
import { MmapRegion } from '../../src/kernel/mmap-region.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { SysError, errnoName, errnoNumber, isSysError } from '../../src/kernel/sys-error.js';
import { check, realLibc } from '../../src/kernel/libc.js';
import { memlockLimit, raiseMemlock, isUnlimited } from '../../src/kernel/rlimit.js';
import { InvalidNameError } from '../../src/kernel/sysfs/errors.js';
import {
  IOCTL, LAYOUT, VFIO_GROUP_FLAGS_VIABLE, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_NOIOMMU_IOMMU, VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP, VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_ACTION_TRIGGER, ioctlName,
} from '../../src/kernel/vfio/uapi.js';

const sysCode = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (e) { return e instanceof SysError ? `${e.code} ${e.op}` : `${(e as Error).name}: ${(e as Error).message}`; } };

t.test('SysError carries the errno name and the operation', async (t) => {
  const e = new SysError('ioctl(VFIO_GROUP_SET_CONTAINER, group 7)', errnoNumber('EPERM'));
  t.equal(e.code, 'EPERM');
  t.equal(e.message, 'ioctl(VFIO_GROUP_SET_CONTAINER, group 7): EPERM');
  t.ok(isSysError(e, 'EPERM'));
  t.notOk(isSysError(e, 'EBUSY'));
  t.equal(errnoName(99999), 'E#99999');
  t.throws(() => errnoNumber('ENOTANERRNO'), RangeError);
  const libc = new FakeLibc();
  libc.openFails.set('/x', 'ENOENT');
  t.throws(() => check(libc, 'open(/x)', libc.open('/x')), { code: 'ENOENT', op: 'open(/x)' });
  t.equal(check(libc, 'ok', 5), 5);
  t.equal(check(libc, 'ok', 7n), 7, 'bigint returns (long) are numbers');
  t.equal(ioctlName(0x1234), '0x1234', 'unknown ioctl numbers are shown in hex');
});

t.test('OwnedFd closes exactly once and refuses a stale number', async (t) => {
  const libc = new FakeLibc();
  const fd = new OwnedFd(libc.open('/dev/null'), 'null', libc);
  const n = fd.fd;
  const copy = fd.dup();
  t.not(copy.fd, n, 'dup gives a new number');
  fd.close();
  fd.close();
  t.same([...libc.closes], [[n, 1]], 'one close(2) however often close() is called');
  t.ok(fd.closed);
  t.throws(() => fd.fd, /already closed/);
  const r = copy.release();
  t.equal(copy.closed, true);
  t.equal(libc.open_.has(r), true, 'release hands the number over without closing it');
  t.throws(() => new OwnedFd(-1, 'bad', libc), RangeError);
  const bad = new OwnedFd(4242, 'never opened', libc);
  t.throws(() => bad.close(), { code: 'EBADF' }, 'a close error is reported');
  t.throws(() => bad.close.call(bad) ?? bad.fd, /already closed/, '…and the number is still never closed twice');
  { using scoped = new OwnedFd(libc.open('/dev/zero'), 'zero', libc); t.ok(scoped.fd > 0); }
  t.equal(libc.open_.size, 1, 'only the released number is still open');
});

t.test('Container: open, API version, IOMMU model fallback, DMA map errors', async (t) => {
  const libc = new FakeLibc();
  libc.openFails.set('/dev/vfio/vfio', 'ENOENT');
  t.equal(sysCode(() => Container.open('/dev/vfio/vfio', libc)), 'ENOENT open(/dev/vfio/vfio)');

  const wrong = new FakeLibc().on(IOCTL.VFIO_GET_API_VERSION, () => 1);
  t.throws(() => Container.open('/dev/vfio/vfio', wrong), /API version 1, expected 0/);
  t.equal(wrong.open_.size, 0, 'the container fd is closed when the version is wrong');

  const l2 = new FakeLibc()
    .on(IOCTL.VFIO_CHECK_EXTENSION, (_fd, ext) => (ext === VFIO_TYPE1v2_IOMMU || ext === VFIO_TYPE1_IOMMU ? 1 : 0))
    .on(IOCTL.VFIO_SET_IOMMU, (_fd, type) => (type === VFIO_TYPE1v2_IOMMU ? 'EINVAL' : 0));
  const c = Container.open('/dev/vfio/vfio', l2);
  t.equal(c.setIommu(), VFIO_TYPE1_IOMMU, 'type1v2 refused with EINVAL: falls back to type1');
  t.equal(c.iommuType, VFIO_TYPE1_IOMMU);

  const l3 = new FakeLibc().on(IOCTL.VFIO_CHECK_EXTENSION, () => 1).on(IOCTL.VFIO_SET_IOMMU, () => 'EBUSY');
  t.equal(sysCode(() => Container.open('/dev/vfio/vfio', l3).setIommu()), 'EBUSY ioctl(VFIO_SET_IOMMU, container, type 3)', 'other errors are not swallowed');
  const l4 = new FakeLibc().on(IOCTL.VFIO_CHECK_EXTENSION, () => 0);
  t.throws(() => Container.open('/dev/vfio/vfio', l4).setIommu({ noiommu: true }), new RegExp(`no supported IOMMU model \\(tried ${VFIO_NOIOMMU_IOMMU}\\)`));
  const l5 = new FakeLibc().on(IOCTL.VFIO_CHECK_EXTENSION, () => 1).on(IOCTL.VFIO_SET_IOMMU, () => 'ENODEV');
  t.equal(sysCode(() => Container.open('/dev/vfio/vfio', l5).setIommu()), 'ENODEV ioctl(VFIO_SET_IOMMU, container, type 1)', 'the last refusal is reported');

  let mapped: Buffer | undefined;
  const l6 = new FakeLibc()
    .on(IOCTL.VFIO_IOMMU_MAP_DMA, (_fd, b) => { mapped = Buffer.from(b as Buffer); return 'ENOMEM'; })
    .on(IOCTL.VFIO_IOMMU_UNMAP_DMA, (_fd, b) => { (b as Buffer).writeBigUInt64LE(0x1000n, LAYOUT.vfio_iommu_type1_dma_unmap.size_); return 0; })
    .on(IOCTL.VFIO_IOMMU_GET_INFO, (_fd, b) => { (b as Buffer).writeBigUInt64LE(0x1000n | 0x200000n, LAYOUT.vfio_iommu_type1_info.iova_pgsizes); return 0; });
  const c6 = Container.open('/dev/vfio/vfio', l6);
  t.equal(sysCode(() => c6.mapDma({ vaddr: 0x7f00n, iova: 0x200000n, size: 0x10000n })), 'ENOMEM ioctl(VFIO_IOMMU_MAP_DMA, container, iova 0x200000 size 0x10000)', 'MAP_DMA over RLIMIT_MEMLOCK');
  const L = LAYOUT.vfio_iommu_type1_dma_map;
  t.equal(mapped!.readUInt32LE(L.argsz), L.size, 'argsz is the struct size');
  t.equal(mapped!.readUInt32LE(L.flags), 3, 'read and write');
  t.equal(mapped!.readBigUInt64LE(L.iova), 0x200000n);
  t.equal(mapped!.readBigUInt64LE(L.size_), 0x10000n);
  t.equal(c6.unmapDma(0x200000n, 0x10000n), 0x1000n, 'UNMAP_DMA reports what the kernel unmapped');
  t.equal(c6.iommuInfo().iovaPgsizes, 0x201000n);
  c6.close();
  c6.close();
  t.equal(l6.open_.size, 0);
});

t.test('Group: the kernel answers from the VFIO docs surface as typed errors', async (t) => {
  const libc = new FakeLibc();
  libc.openFails.set('/dev/vfio/7', 'EBUSY');
  t.equal(sysCode(() => Group.open(7, {}, libc)), 'EBUSY open(/dev/vfio/7)', 'second open of a group');
  t.throws(() => Group.open('../7', {}, libc), InvalidNameError, 'no path is built from a hostile id');
  t.equal(libc.ioctls.length + libc.open_.size, 0);

  const k = new FakeLibc()
    .on(IOCTL.VFIO_GROUP_GET_STATUS, (_fd, b) => { (b as Buffer).writeUInt32LE(VFIO_GROUP_FLAGS_VIABLE, 4); return 0; })
    .on(IOCTL.VFIO_GROUP_SET_CONTAINER, () => 'EPERM')
    .on(IOCTL.VFIO_GROUP_GET_DEVICE_FD, (_fd, name) => (name === '0000:00:04.0' ? 'ENODEV' : 'EINVAL'));
  const g = Group.open(3, { noiommu: true, devRoot: '/d' }, k);
  t.equal(k.open_.get(g.fd.fd), '/d/noiommu-3');
  t.same(g.status(), { viable: true, containerSet: false });
  const c = Container.open('/dev/vfio/vfio', k);
  t.equal(sysCode(() => g.setContainer(c)), 'EPERM ioctl(VFIO_GROUP_SET_CONTAINER, group 3)', 'SET_CONTAINER on a non-viable group');
  const passed = k.ioctls.find((i) => i.req === IOCTL.VFIO_GROUP_SET_CONTAINER)!.arg as Buffer;
  t.equal(passed.readInt32LE(0), c.fd.fd, 'SET_CONTAINER takes a pointer to the container fd');
  t.equal(sysCode(() => g.getDeviceFd('0000:00:03.0')), 'EINVAL ioctl(VFIO_GROUP_GET_DEVICE_FD, group 3, 0000:00:03.0)', 'GET_DEVICE_FD before SET_CONTAINER');
  t.equal(sysCode(() => g.getDeviceFd('0000:00:04.0')), 'ENODEV ioctl(VFIO_GROUP_GET_DEVICE_FD, group 3, 0000:00:04.0)', 'GET_DEVICE_FD on a bridge');
  t.throws(() => g.getDeviceFd('../../x'), InvalidNameError);
  k.handlers.delete(IOCTL.VFIO_GROUP_GET_DEVICE_FD);
  const d = g.getDeviceFd('0000:00:03.0');
  t.type(d, Device);
  g.unsetContainer();
  d.close(); g.close(); c.close();
  t.equal(k.open_.size, 0, 'every fd closed');
  t.same(k.badCloses, [], 'none twice');
});

t.test('Device: info, regions, IRQs, config space and mmap failures', async (t) => {
  const k = new FakeLibc()
    .on(IOCTL.VFIO_DEVICE_GET_INFO, (_fd, b) => { const B = b as Buffer; B.writeUInt32LE(2, 4); B.writeUInt32LE(9, 8); B.writeUInt32LE(5, 12); return 0; })
    .on(IOCTL.VFIO_DEVICE_GET_REGION_INFO, (_fd, b) => {
      const B = b as Buffer; const L = LAYOUT.vfio_region_info;
      const index = B.readUInt32LE(L.index);
      B.writeUInt32LE(index === 0 ? 7 | VFIO_REGION_INFO_FLAG_MMAP : 3, L.flags);
      B.writeBigUInt64LE(index === 0 ? 0x100000n : 0x100n, L.size_);
      B.writeBigUInt64LE(BigInt(index) << 40n, L.offset);
      return 0;
    })
    .on(IOCTL.VFIO_DEVICE_GET_IRQ_INFO, (_fd, b) => { const B = b as Buffer; if (B.readUInt32LE(8) > 4) return 'EINVAL'; B.writeUInt32LE(1, 4); B.writeUInt32LE(1, 12); return 0; })
    .on(IOCTL.VFIO_DEVICE_RESET, () => 'ENOTTY');
  const d = new Device(new OwnedFd(k.open('/dev/vfio/devices/vfio0'), 'dev', k), '0000:00:03.0');
  t.same(d.info(), { flags: 2, numRegions: 9, numIrqs: 5 });
  t.match(d.regionInfo(7), { index: 7, flags: 3, size: 0x100n, offset: 7n << 40n, mmap: false });
  t.same(d.irqInfo(4), { index: 4, flags: 1, count: 1 });
  t.equal(sysCode(() => d.irqInfo(9)), 'EINVAL ioctl(VFIO_DEVICE_GET_IRQ_INFO, device 0000:00:03.0, irq 9)');
  t.equal(sysCode(() => d.reset()), 'ENOTTY ioctl(VFIO_DEVICE_RESET, device 0000:00:03.0)', 'edu has no reset');
  d.setIrqsEventfd(VFIO_PCI_REQ_IRQ_INDEX, 0, [41, 42]);
  const set = k.ioctls.at(-1)!.arg as Buffer;
  const L = LAYOUT.vfio_irq_set;
  t.equal(set.readUInt32LE(L.argsz), L.size + 8, 'argsz covers the eventfd array');
  t.equal(set.readUInt32LE(L.flags), VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
  t.same([set.readUInt32LE(L.index), set.readUInt32LE(L.count), set.readInt32LE(L.data), set.readInt32LE(L.data + 4)], [VFIO_PCI_REQ_IRQ_INDEX, 2, 41, 42]);
  d.disableIrqs(0);

  t.equal(d.configRead(0, 4).length, 4);
  k.preadResult = 2;
  t.equal(sysCode(() => d.configRead(0, 4)), 'EIO pread(config, 0000:00:03.0): short read 2/4');
  t.equal(sysCode(() => d.configWrite(4, Buffer.from([6, 0]))), 'ok');
  t.equal(sysCode(() => d.configWrite(4, Buffer.from([6, 0, 0]))), 'EIO pwrite(config, 0000:00:03.0): short write 2/3');
  t.throws(() => d.mapRegion(7), /region 7 cannot be mmapped/);
  const bar = d.mapRegion(0);
  bar.write32(0, 0x12345678);
  t.equal(bar.read32(0), 0x12345678);
  t.throws(() => bar.read32(2), RangeError, 'unaligned access refused');
  t.throws(() => bar.read32(0x100000), RangeError, 'past the end refused');
  bar.unmap();
  t.throws(() => bar.read32(0), /already unmapped/);
  k.mmapFails = 'ENOMEM';
  t.equal(sysCode(() => d.mapRegion(0)), 'ENOMEM mmap(0000:00:03.0 region 0)');
  t.equal(sysCode(() => MmapRegion.anonymous(4096, 'dma', k)), 'ENOMEM mmap(dma)');
  d.close();
  t.equal(k.open_.size, 0);
});

t.test('iommufd and the vfio cdev', async (t) => {
  let objects = 0;
  const k = new FakeLibc()
    .on(IOCTL.IOMMU_OPTION, (_fd, b) => {
      const B = b as Buffer;
      if (B.readUInt16LE(LAYOUT.iommu_option.op) === 1) { B.writeBigUInt64LE(1n, LAYOUT.iommu_option.val64); return 0; }
      return objects > 0 ? 'EBUSY' : 0;
    })
    .on(IOCTL.IOMMU_IOAS_ALLOC, (_fd, b) => { (b as Buffer).writeUInt32LE(++objects, LAYOUT.iommu_ioas_alloc.out_ioas_id); return 0; })
    .on(IOCTL.VFIO_DEVICE_BIND_IOMMUFD, (_fd, b) => { (b as Buffer).writeUInt32LE(7, LAYOUT.vfio_device_bind_iommufd.out_devid); return 0; })
    .on(IOCTL.VFIO_DEVICE_ATTACH_IOMMUFD_PT, () => 'EPERM')
    .on(IOCTL.IOMMU_IOAS_MAP, () => 'ENOMEM');
  k.openFails.set('/dev/iommu', 'EACCES');
  t.equal(sysCode(() => Iommufd.open('/dev/iommu', k)), 'EACCES open(/dev/iommu)', 'an unprivileged open');
  k.openFails.clear();
  const i = Iommufd.open('/dev/iommu', k);
  i.setRlimitMode(1);
  t.equal(i.rlimitMode(), 1);
  const ioas = i.ioasAlloc();
  t.equal(ioas, 1);
  t.equal(sysCode(() => i.setRlimitMode(1)), 'EBUSY ioctl(IOMMU_OPTION, iommufd, RLIMIT_MODE)', 'too late once an object exists');
  t.equal(sysCode(() => i.ioasMap({ ioas, vaddr: 0x7f00n, iova: 0n, length: 4096n })), 'ENOMEM ioctl(IOMMU_IOAS_MAP, iommufd, ioas 1)');
  i.ioasUnmap(ioas, 0n, 4096n);
  i.destroy(ioas);
  t.throws(() => VfioCdev.openCdev('../vfio0', 'x', '/dev/vfio/devices', k), RangeError, 'hostile cdev names never reach open');
  const cdev = VfioCdev.openCdev('vfio0', '0000:00:03.0', '/dev/vfio/devices', k);
  t.equal(k.open_.get(cdev.fd.fd), '/dev/vfio/devices/vfio0');
  t.equal(cdev.bind(i), 7);
  const bound = k.ioctls.at(-1)!.arg as Buffer;
  t.equal(bound.readInt32LE(LAYOUT.vfio_device_bind_iommufd.iommufd), i.fd.fd, 'BIND passes the iommufd number');
  t.equal(sysCode(() => cdev.attach(ioas)), 'EPERM ioctl(VFIO_DEVICE_ATTACH_IOMMUFD_PT, cdev 0000:00:03.0, pt 1)');
  cdev.detach();
  cdev.close(); i.close();
  t.equal(k.open_.size, 0);
});

t.test('device request watch: registered on vfio-pci devices, skipped where there is no REQ irq', async (t) => {
  const k = new FakeLibc().on(IOCTL.VFIO_DEVICE_GET_IRQ_INFO, (_fd, b) => { (b as Buffer).writeUInt32LE(1, 12); return 0; });
  // libuv polls the eventfd, so it must be a real one; the kernel's signal is played by writing to it.
  k.realEventfds = realLibc();
  const d = new Device(new OwnedFd(k.open('/dev/vfio/devices/vfio0'), 'dev', k), 'dev');
  const requests: number[] = [];
  let heard!: () => void;
  const got = new Promise<void>((r) => { heard = r; });
  const w = DeviceRequestWatch.register(d, k, (n) => { requests.push(n); heard(); });
  t.ok(w, 'registered');
  const set = k.ioctls.find((i) => i.req === IOCTL.VFIO_DEVICE_SET_IRQS)!.arg as Buffer;
  t.equal(set.readUInt32LE(LAYOUT.vfio_irq_set.index), VFIO_PCI_REQ_IRQ_INDEX);
  const efd = set.readInt32LE(LAYOUT.vfio_irq_set.data);
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  realLibc().write(efd, one, 8);
  await got; // the open watch keeps the loop alive until it fires
  t.same(requests, [1], 'the kernel signalling the eventfd reaches the callback');
  w!.close();
  t.notOk(k.real.has(efd), 'the eventfd is closed with the watch');
  const none = new FakeLibc().on(IOCTL.VFIO_DEVICE_GET_IRQ_INFO, () => 'EINVAL');
  const d2 = new Device(new OwnedFd(none.open('/x'), 'dev', none), 'platform-dev');
  t.equal(DeviceRequestWatch.register(d2, none, () => {}), null, 'no request interrupt: nothing registered');
  t.equal(none.open_.size, 1, 'and no eventfd left open');
  const failing = new FakeLibc()
    .on(IOCTL.VFIO_DEVICE_GET_IRQ_INFO, (_fd, b) => { (b as Buffer).writeUInt32LE(1, 12); return 0; })
    .on(IOCTL.VFIO_DEVICE_SET_IRQS, () => 'EINVAL');
  const d3 = new Device(new OwnedFd(failing.open('/x'), 'dev', failing), 'dev3');
  t.throws(() => DeviceRequestWatch.register(d3, failing, () => {}), { code: 'EINVAL' });
  t.equal(failing.open_.size, 1, 'the eventfd is closed when SET_IRQS fails');
});

t.test('memlock limits', async (t) => {
  const real = memlockLimit();
  t.ok(real.soft <= real.hard || isUnlimited(real.hard), 'soft ≤ hard for this process');
  const calls: (Buffer | null)[] = [];
  const k = new FakeLibc();
  k.prlimit = (_pid: number, _res: number, next: Buffer | null, old: Buffer | null) => {
    if (old) { old.writeBigUInt64LE(8n << 20n, 0); old.writeBigUInt64LE(64n << 20n, 8); }
    calls.push(next);
    return 0;
  };
  raiseMemlock(42, 16n << 20n, k);
  const next = calls.find(Boolean)!;
  t.same([next.readBigUInt64LE(0), next.readBigUInt64LE(8)], [16n << 20n, 64n << 20n], 'soft raised, hard kept when already higher');
  calls.length = 0;
  raiseMemlock(42, 4n << 20n, k);
  t.same(calls.filter(Boolean), [], 'never lowered');
});
