import t from 'tap';
import { parseUevent, UeventMonitor } from '../../src/kernel/uevent.js';

t.test('parse kernel uevents, ignore libudev and garbage', async (t) => {
  const ev = parseUevent(Buffer.from('remove@/devices/pci0000:00/0000:00:03.0\0ACTION=remove\0DEVPATH=/devices/pci0000:00/0000:00:03.0\0SUBSYSTEM=pci\0PCI_SLOT_NAME=0000:00:03.0\0SEQNUM=1234\0'));
  t.same(ev && { action: ev.action, name: ev.name, subsystem: ev.subsystem }, { action: 'remove', name: '0000:00:03.0', subsystem: 'pci' });
  t.equal(parseUevent(Buffer.from('libudev\0\xfe\xed\xca\xfe')), null);
  t.equal(parseUevent(Buffer.alloc(0)), null);
  t.equal(parseUevent(Buffer.from('add@/devices/virtual/misc/vfio\0'))?.name, 'vfio');
});

t.test('the monitor opens a real netlink socket and closes it once', async (t) => {
  const m = new UeventMonitor();
  m.close();
  m.close();
  t.pass('opened and closed');
});
