import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { HostCriticalGuard } from '../../src/kernel/host-critical.js';
import { DriverBinder, BindError } from '../../src/kernel/driver-binding.js';

function tree(root: string) {
  const mk = (p: string, content = '') => { fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true }); fs.writeFileSync(path.join(root, p), content); };
  const dir = (p: string) => fs.mkdirSync(path.join(root, p), { recursive: true });
  const link = (p: string, target: string) => { fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true }); fs.symlinkSync(target, path.join(root, p)); };
  // Disk behind 0000:00:02.0 carrying / ; NIC 0000:00:03.0 with default route; NIC 0000:00:05.0 idle; 9p share behind 0000:00:06.0.
  dir('sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda');
  link('sys/dev/block/254:0', '../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda');
  dir('sys/devices/pci0000:00/0000:00:03.0/net/eth0');
  link('sys/class/net/eth0', '../../devices/pci0000:00/0000:00:03.0/net/eth0');
  link('sys/devices/pci0000:00/0000:00:03.0/net/eth0/device', '../../../0000:00:03.0');
  dir('sys/devices/pci0000:00/0000:00:05.0/net/eth1');
  link('sys/class/net/eth1', '../../devices/pci0000:00/0000:00:05.0/net/eth1');
  link('sys/devices/pci0000:00/0000:00:05.0/net/eth1/device', '../../../0000:00:05.0');
  dir('sys/class/net/lo');
  dir('sys/devices/pci0000:00/0000:00:06.0/virtio3');
  mk('sys/devices/pci0000:00/0000:00:06.0/virtio3/mount_tag', 'hostroot\0');
  link('sys/bus/virtio/devices/virtio3', '../../../devices/pci0000:00/0000:00:06.0/virtio3');
  mk('proc/self/mountinfo', [
    '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '23 22 0:21 / /proc rw - proc proc rw',
    '24 22 0:30 / /host ro - 9p hostroot ro,trans=virtio',
  ].join('\n'));
  mk('proc/net/route', 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nlo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\neth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\n');
  mk('proc/net/if_inet6', 'fe800000000000000000000000000001 03 40 20 80 eth1\n');
}

t.test('guard finds the root disk, the 9p share and the routed NIC, not the idle one', async (t) => {
  const root = t.testdir();
  tree(root);
  const m = new HostCriticalGuard(root).scan();
  t.match(m.get('0000:00:02.0')?.[0].reason, /root filesystem \(ext4\)/);
  t.match(m.get('0000:00:03.0')?.[0].reason, /eth0 carries the default route/);
  t.match(m.get('0000:00:06.0')?.[0].reason, /mounted on \/host \(9p\), share "hostroot"/);
  t.notOk(m.has('0000:00:05.0'), 'link-local IPv6 only and no route: not critical');
  t.same(new HostCriticalGuard(path.join(root, 'nope')).scan().size, 0, 'missing files mean nothing found, not a crash');
});

t.test('a bound share mounted out of sight (an overlay root from an initramfs) still counts', async (t) => {
  const root = t.testdir();
  tree(root);
  // The 9p mount is not in this namespace's mountinfo: only the overlay root built on it.
  fs.writeFileSync(path.join(root, 'proc/self/mountinfo'), '30 1 0:40 / / rw - overlay overlay rw,lowerdir=/lower,upperdir=/upper/u\n');
  t.notOk(new HostCriticalGuard(root).scan().has('0000:00:06.0'), 'an unbound share device is free to take');
  fs.mkdirSync(path.join(root, 'sys/bus/virtio/drivers/9pnet_virtio'), { recursive: true });
  fs.symlinkSync('../../../../bus/virtio/drivers/9pnet_virtio', path.join(root, 'sys/devices/pci0000:00/0000:00:06.0/virtio3/driver'));
  t.match(new HostCriticalGuard(root).scan().get('0000:00:06.0')?.[0].reason, /virtio share "hostroot", which may be mounted outside this mount namespace/);
});

t.test('binder verifies what actually bound', async (t) => {
  const root = t.testdir();
  fs.mkdirSync(path.join(root, 'sys/bus/pci/devices/0000:00:05.0'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/bus/pci/devices/0000:00:05.0/driver_override'), '');
  fs.writeFileSync(path.join(root, 'sys/bus/pci/drivers_probe'), '');
  const b = new DriverBinder(root);
  const e = t.throws(() => b.bind('0000:00:05.0')) as unknown as BindError;
  t.type(e, BindError);
  t.match(e.message, /left it on no driver instead of vfio-pci/);
  t.equal(fs.readFileSync(path.join(root, 'sys/bus/pci/devices/0000:00:05.0/driver_override'), 'utf8'), 'vfio-pci');
  t.throws(() => b.bind('../../etc'), BindError);
  const r = b.restore('0000:00:05.0', null);
  t.equal(r.note, 'left unbound (no driver matches it)');
  fs.mkdirSync(path.join(root, 'sys/bus/pci/drivers/vfio-pci'), { recursive: true });
  fs.symlinkSync('../../../bus/pci/drivers/vfio-pci', path.join(root, 'sys/bus/pci/devices/0000:00:05.0/driver'));
  t.same(b.bind('0000:00:05.0'), { device: '0000:00:05.0', fromDriver: 'vfio-pci', toDriver: 'vfio-pci', changed: false, note: 'already on vfio-pci' });
});
