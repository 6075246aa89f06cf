import t from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

t.test('the inventory is cached, and invalidated by changes or time', async (t) => {
  const root = t.testdir();
  const fake = new FakeSysfs(root).device({ name: '0000:00:03.0', group: 3, driver: 'e1000e' });
  const host = new VfioHost(root);
  const first = host.scan();
  t.equal(first[0].viable, false);
  fake.bind('0000:00:03.0', 'vfio-pci');
  t.equal(host.scan(), first, 'within the TTL the same inventory is served');
  host.invalidate();
  t.equal(host.scan()[0].viable, true, 'a uevent (invalidate) makes the next scan fresh');
  fake.bind('0000:00:03.0', 'e1000e');
  host.cacheTtlMs = 0;
  t.equal(host.scan()[0].viable, false, 'and so does the TTL running out');
});
