/**
 * The client's interrupt calls (src/client/interrupts.ts) against FakeLibc: the
 * VFIO_DEVICE_SET_IRQS structs they build, the typed errors they throw, and that
 * no eventfd outlives a failure or close(). The guest suite
 * (test/guest/interrupts.guest.ts) shows real interrupts arriving.
 */
import t from 'tap';
import { FakeLibc } from '../fixtures/fake-libc.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { realLibc } from '../../src/kernel/libc.js';
import { DeviceInterrupts, Eventfd, IrqInfoError, SetIrqsError } from '../../src/client/interrupts.js';
import {
  IOCTL, LAYOUT, VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE, VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX,
} from '../../src/kernel/vfio/uapi.js';

const L = LAYOUT.vfio_irq_set;
const fields = (b: Buffer) => ({
  argsz: b.readUInt32LE(L.argsz), flags: b.readUInt32LE(L.flags), index: b.readUInt32LE(L.index),
  start: b.readUInt32LE(L.start), count: b.readUInt32LE(L.count),
  data: Array.from({ length: (b.length - L.size) / 4 }, (_, i) => b.readInt32LE(L.data + 4 * i)),
});

function setup() {
  const k = new FakeLibc();
  k.on(IOCTL.VFIO_DEVICE_GET_IRQ_INFO, (_fd, b) => {
    const B = b as Buffer;
    const index = B.readUInt32LE(LAYOUT.vfio_irq_info.index);
    if (index > 4) return 'EINVAL';
    // INTx: eventfd | maskable | automasked; MSI: eventfd | noresize, 1 vector; MSI-X: none.
    const [flags, count] = [[0x7, 1], [0x9, 1], [0x1, 0], [0x1, 1], [0x1, 1]][index];
    B.writeUInt32LE(flags, LAYOUT.vfio_irq_info.flags);
    B.writeUInt32LE(count, LAYOUT.vfio_irq_info.count);
    return 0;
  });
  const irq = new DeviceInterrupts(new OwnedFd(k.open('/dev/vfio/devices/vfio0'), 'dev', k), '0000:00:03.0');
  const sets = () => k.ioctls.filter((i) => i.req === IOCTL.VFIO_DEVICE_SET_IRQS).map((i) => fields(i.arg as Buffer));
  return { k, irq, sets };
}

t.test('GET_IRQ_INFO: flags decoded per index; a bad index is an IrqInfoError', async (t) => {
  const { irq } = setup();
  t.match(irq.info('intx'), { index: VFIO_PCI_INTX_IRQ_INDEX, count: 1, eventfd: true, maskable: true, automasked: true, noresize: false });
  t.match(irq.info('msi'), { index: VFIO_PCI_MSI_IRQ_INDEX, count: 1, maskable: false, noresize: true });
  t.equal(irq.info('msix').count, 0, 'edu has no MSI-X');
  const e = t.throws(() => irq.info(9)) as IrqInfoError;
  t.ok(e instanceof IrqInfoError);
  t.equal(e.code, 'EINVAL');
  t.equal(e.index, 9);
  t.match(e.message, /ioctl\(VFIO_DEVICE_GET_IRQ_INFO, device 0000:00:03.0, irq 9\): EINVAL \(interrupt index 9\)/);
});

t.test('SET_IRQS structs: INTx trigger + unmask + mask, MSI and MSI-X with one eventfd per vector, disable', async (t) => {
  const { k, irq, sets } = setup();
  const intx = irq.enableIntx();
  irq.unmaskIntx();
  irq.maskIntx();
  const msi = irq.enableMsi(2);
  const msiFds = msi.map((e) => e.fd.fd);
  const msix = irq.enableMsix(3);
  irq.disable('msi');
  const s = sets();
  t.same(s[0], { argsz: L.size + 4, flags: VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index: 0, start: 0, count: 1, data: [intx.fd.fd] });
  t.same(s[1], { argsz: L.size, flags: VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, index: 0, start: 0, count: 1, data: [] }, 'unmask: DATA_NONE, no payload');
  t.same(s[2], { argsz: L.size, flags: VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, index: 0, start: 0, count: 1, data: [] });
  t.same(s[3], { argsz: L.size + 8, flags: VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index: VFIO_PCI_MSI_IRQ_INDEX, start: 0, count: 2, data: msiFds });
  t.same(s[4].data, msix.map((e) => e.fd.fd), 'MSI-X: vector i signals eventfd i');
  t.equal(s[4].index, VFIO_PCI_MSIX_IRQ_INDEX);
  t.same(s[5], { argsz: L.size, flags: VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index: VFIO_PCI_MSI_IRQ_INDEX, start: 0, count: 0, data: [] }, 'disable: count 0, DATA_NONE');
  t.ok(msi.every((e) => e.fd.closed), "disable closed the index's eventfds");
  t.notOk(intx.fd.closed);
  irq.close();
  t.ok([intx, ...msix].every((e) => e.fd.closed), 'close() closes every eventfd');
  t.same(sets().slice(6).map((x) => x.index).sort(), [VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX], 'and disabled every index still enabled');
  t.same([...k.open_.values()].filter((w) => w === 'eventfd'), [], 'no eventfd left open');
  t.same(k.doubleCloses(), []);
});

t.test('a refused SET_IRQS is a SetIrqsError naming the action, and closes the eventfds it made', async (t) => {
  const { k, irq } = setup();
  k.on(IOCTL.VFIO_DEVICE_SET_IRQS, () => 'EINVAL');
  const e = t.throws(() => irq.enableMsi(4)) as SetIrqsError;
  t.ok(e instanceof SetIrqsError);
  t.match({ code: e.code, index: e.index, action: e.action }, { code: 'EINVAL', index: VFIO_PCI_MSI_IRQ_INDEX, action: 'trigger' });
  t.match(e.message, /VFIO_DEVICE_SET_IRQS.*EINVAL \(trigger on interrupt index 1\)/);
  t.same([...k.open_.values()].filter((w) => w === 'eventfd'), [], 'the four eventfds were closed');
  t.match((t.throws(() => irq.unmaskIntx()) as SetIrqsError).action, 'unmask');
  t.throws(() => irq.enableMsi(0), RangeError);
});

t.test('Eventfd.wait: the counter once signalled, 0n on timeout', async (t) => {
  const libc = realLibc();
  const ev = Eventfd.create('test', libc);
  t.equal(await ev.wait(20), 0n, 'nothing signalled');
  setTimeout(() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(3n); libc.write(ev.fd.fd, b, 8); }, 10);
  t.equal(await ev.wait(10_000), 3n, 'readable with the count written');
  t.equal(ev.take(), 0n, 'reading reset it');
  ev.close();
});
