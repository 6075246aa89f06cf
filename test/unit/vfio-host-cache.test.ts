import t from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

t.test('the inventory is read once, then kept current by uevents, not by time', async (t) => {
  const root = t.testdir();
  const fake = new FakeSysfs(root).device({ name: '0000:00:03.0', group: 3, driver: 'e1000e' });
  const host = new VfioHost(root);
  t.same(host.scan(), [], 'nothing is read before ready()');
  await host.ready();
  const first = host.scan();
  t.equal(first[0].viable, false);
  fake.bind('0000:00:03.0', 'vfio-pci');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(host.scan(), first, 'without a uevent the same inventory is served: no rescan on a timer or on a read');
  host.deviceChanged({ action: 'bind', devpath: '/devices/pci0000:00/0000:00:03.0', subsystem: 'pci', name: '0000:00:03.0' });
  t.equal(host.scan()[0].viable, true, 'a uevent re-reads the group');
  t.equal(host.group(3)?.devices[0].driver, 'vfio-pci', 'and the index serves it by id');
  t.equal(host.live.stats.fullScans, 1, 'one full scan in all');
});

t.test('our own binds re-read the device group, even when the bind fails', async (t) => {
  const root = t.testdir();
  new FakeSysfs(root).device({ name: '0000:00:03.0', group: 3, driver: 'e1000e' }).device({ name: '0000:00:04.0', group: 4 });
  const host = new VfioHost(root);
  await host.ready();
  const reads: number[] = [];
  const orig = host.live.reader.readGroupIfPresent.bind(host.live.reader);
  host.live.reader.readGroupIfPresent = (id: number) => { reads.push(id); return orig(id); };
  // The synthetic tree has no driver core: drivers_probe leaves the link alone and bind reports it.
  await t.rejects(host.bindVfio('0000:00:03.0'), /drivers_probe left it on e1000e/, 'the verified result comes back from the binding child');
  t.same(reads, [3], 'only the device group was re-read');
  await host.restoreDriver('0000:00:03.0', 'e1000e');
  t.same(reads, [3, 3]);
});
