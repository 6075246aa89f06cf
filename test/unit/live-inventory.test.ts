import t, { type Test } from 'tap';
import { LiveInventory } from '../../src/kernel/sysfs/live-inventory.js';
import { InvalidNameError } from '../../src/kernel/sysfs/errors.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

/** A ready inventory on the guest-like tree, with every single-group read recorded. */
async function setup(t: Test, chunk?: number) {
  const root = t.testdir();
  const fake = FakeSysfs.guestLike(root);
  const live = new LiveInventory(root, chunk);
  await live.ready();
  const reads: number[] = [];
  const orig = live.reader.readGroupIfPresent.bind(live.reader);
  live.reader.readGroupIfPresent = (id: number) => { reads.push(id); return orig(id); };
  return { fake, live, reads };
}

const ev = (action: string, name: string, parent = 'pci0000:00') => ({ action, name, subsystem: 'pci', devpath: `/devices/${parent}/${name}` });
const ids = (live: LiveInventory) => live.groups().map((g) => g.id);

t.test('the first read, in a worker, and the indexes', async (t) => {
  const { live } = await setup(t, 2);
  t.same(ids(live), [3, 4, 6, 7, 8], 'every group, in id order, across chunks of 2');
  t.same(live.group(7)?.devices.map((d) => d.name), ['0000:01:00.0', '0000:02:01.0', '0000:02:02.0']);
  t.equal(live.group(5), undefined);
  t.equal(live.groupOfDevice('0000:04:02.0'), 8);
  t.equal(live.groupOfDevice('0000:09:00.0'), undefined);
  t.throws(() => live.groupOfDevice('../../etc'), InvalidNameError);
  t.equal(live.stats.fullScans, 1);
});

t.test('add: only the new device group is read', async (t) => {
  const { fake, live, reads } = await setup(t);
  const before = live.groups();
  fake.device({ name: '0000:00:09.0', group: 9, driver: 'vfio-pci' });
  t.same(live.deviceChanged(ev('add', '0000:00:09.0')), [9]);
  t.same(reads, [9]);
  t.same(ids(live), [3, 4, 6, 7, 8, 9]);
  t.equal(live.groupOfDevice('0000:00:09.0'), 9);
  t.same(ids({ groups: () => before } as LiveInventory), [3, 4, 6, 7, 8], 'an array handed out earlier is not changed');
  fake.device({ name: '0000:00:06.1', group: 6, driver: 'vfio-pci' });
  live.deviceChanged(ev('add', '0000:00:06.1'));
  t.same(reads, [9, 6], 'a device joining a group re-reads that group');
  t.same(live.group(6)?.devices.map((d) => d.name), ['0000:00:06.0', '0000:00:06.1']);
});

t.test('remove: the old group is re-read, and dropped once empty', async (t) => {
  const { fake, live, reads } = await setup(t);
  fake.remove('0000:02:02.0');
  live.deviceChanged(ev('remove', '0000:02:02.0', 'pci0000:00/0000:00:04.0/0000:01:00.0'));
  t.same(reads, [7]);
  t.same(live.group(7)?.devices.map((d) => d.name), ['0000:01:00.0', '0000:02:01.0']);
  t.equal(live.groupOfDevice('0000:02:02.0'), undefined);
  fake.remove('0000:00:03.0');
  live.deviceChanged(ev('remove', '0000:00:03.0'));
  t.same(reads, [7, 3]);
  t.equal(live.group(3), undefined, 'an emptied group is gone');
  t.same(ids(live), [4, 6, 7, 8]);
});

t.test('bind and unbind: one group re-read, viability follows', async (t) => {
  const { fake, live, reads } = await setup(t);
  fake.bind('0000:00:03.0', 'e1000e');
  live.deviceChanged(ev('bind', '0000:00:03.0'));
  t.equal(live.group(3)?.viable, false);
  fake.bind('0000:00:03.0', null);
  live.deviceChanged(ev('unbind', '0000:00:03.0'));
  t.equal(live.group(3)?.viable, true);
  t.equal(live.group(3)?.devices[0].driver, null);
  t.same(reads, [3, 3]);
  live.deviceChanged({ action: 'add', name: 'eth0', subsystem: 'net', devpath: '/devices/pci0000:00/0000:00:03.0/net/eth0' });
  live.deviceChanged({ action: 'change', name: 'x', subsystem: 'pci', devpath: '/devices/../../etc' });
  t.same(reads, [3, 3], 'uevents for devices outside any group read nothing');
});

t.test('rescan: a full re-read, queued when one runs, uevents meanwhile kept', async (t) => {
  const { fake, live, reads } = await setup(t);
  fake.bind('0000:00:03.0', 'e1000e'); // a change whose uevent was lost
  t.equal(live.group(3)?.viable, true, 'stale until asked');
  const a = live.rescan();
  const b = live.rescan();
  const c = live.rescan();
  t.equal(b, c, 'requests during a scan share one follow-up scan');
  fake.device({ name: '0000:00:09.0', group: 9 });
  live.deviceChanged(ev('add', '0000:00:09.0'));
  await Promise.all([a, b]);
  t.equal(live.group(3)?.viable, false, 'fresh after the rescan');
  t.equal(live.groupOfDevice('0000:00:09.0'), 9, 'the uevent during the scan survived it');
  t.equal(live.stats.fullScans, 3, 'the first read plus two rescans');
  t.same(reads.filter((r) => r === 9).length >= 1, true);
});
