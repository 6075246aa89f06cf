import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { HostCriticalGuard } from '../../src/kernel/host-critical.js';
import { DriverBinder, BindError } from '../../src/kernel/driver-binding.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

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

/**
 * What the guard used to miss, on one synthetic host: every device below is
 * something the host needs although nothing of it is mounted in the daemon's
 * own namespace, and each assertion is the reason an operator is shown.
 */
function gappy(root: string) {
  const s = new FakeSysfs(root);
  const pci = ['00:02.0', '00:10.0', '00:11.0', '00:12.0', '00:13.0', '00:14.0', '00:15.0', '00:16.0', '00:17.0', '00:18.0', '00:19.0', '00:1a.0', '00:1b.0', '00:1c.0', '00:1f.2'];
  pci.forEach((d, i) => s.device({ name: `0000:${d}`, group: 10 + i, driver: 'some-driver' }));
  s.disk('sda', '0000:00:1f.2', { dev: '8:0', partitions: { sda1: '8:1', sda2: '8:2' } })
    .disk('sdb', '0000:00:10.0', { dev: '8:16' }).stacked('md0', ['sdb'], { dev: '9:0' })
    .disk('sdc', '0000:00:11.0', { dev: '8:32', partitions: { sdc1: '8:33' } }).stacked('dm-0', ['sdc1'], { dev: '254:0', dmName: 'vg0-data' })
    .disk('nvme0n1', '0000:00:12.0', { dev: '259:0' })
    .disk('sdd', '0000:00:13.0', { dev: '8:48' }).stacked('dm-1', ['sdd'], { dev: '254:1', dmName: 'swapvol' })
    .disk('sde', '0000:00:1a.0', { dev: '8:64', partitions: { sde1: '8:65' } })
    .disk('sdf', '0000:00:1b.0', { dev: '8:80', partitions: { sdf1: '8:81' } });
  s.netdev('br0', { kind: 'bridge' }).netdev('eth2', { on: '0000:00:14.0', master: 'br0' })
    .netdev('bond0', { kind: 'bond' }).netdev('eth3', { on: '0000:00:15.0', master: 'bond0' })
    .netdev('team0', { kind: 'team' }).netdev('eth4', { on: '0000:00:16.0', master: 'team0' })
    .netdev('eth5', { on: '0000:00:17.0' }).netdev('eth5.100', { kind: 'vlan', lower: 'eth5' })
    .netdev('br1', { kind: 'bridge' }).netdev('bond1', { kind: 'bond', master: 'br1' }).netdev('eth6', { on: '0000:00:18.0', master: 'bond1' })
    .netdev('eth7', { on: '0000:00:1c.0' });
  s.bootVga('0000:00:02.0', 1).bootVga('0000:00:19.0', 0);
  const ownMounts = '22 1 8:81 / / rw,relatime shared:1 - ext4 /dev/sdf1 rw\n23 22 0:21 / /proc rw - proc proc rw\n';
  s.process('self', 1, ownMounts, 'vfio-brokerd').process(1, 1, ownMounts, 'systemd')
    .process(4242, 2, '40 39 259:0 / /var/lib/postgresql rw - xfs /dev/nvme0n1 rw\n41 40 0:22 / /proc rw - proc proc rw\n', 'postgres')
    .process(4243, 2, '40 39 259:0 / /var/lib/postgresql rw - xfs /dev/nvme0n1 rw\n', 'postgres');
  s.proc('swaps', 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda2                               partition\t2097148\t\t0\t\t-2\n/dev/mapper/swapvol                     partition\t1048572\t\t0\t\t-3\n/swapfile                               file\t\t1048572\t\t0\t\t-4\n');
  s.proc('net/route', 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nbr0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\nbr0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\neth5.100\t0064A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\nbr1\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\n');
  return s;
}

t.test('attack: devices the host needs that the guard used to hand over', async (t) => {
  const root = t.testdir();
  gappy(root);
  const m = new HostCriticalGuard(root).scan();
  const reasons = (d: string) => m.get(d)?.map((u) => u.reason);
  t.same(reasons('0000:00:1f.2'), ['backs swap space /dev/sda2'], 'swap partition');
  t.same(reasons('0000:00:13.0'), ['backs swap space /dev/mapper/swapvol', 'disk sdd is held by dm-1 "swapvol" (device-mapper/LVM, md or another stacked device)'], 'swap on a device-mapper volume');
  t.same(reasons('0000:00:10.0'), ['disk sdb is held by md0 (device-mapper/LVM, md or another stacked device)'], 'whole disk in an md array');
  t.same(reasons('0000:00:11.0'), ['partition sdc1 of disk sdc is held by dm-0 "vg0-data" (device-mapper/LVM, md or another stacked device)'], 'partition that is an LVM physical volume');
  t.same(reasons('0000:00:12.0'), ['backs the filesystem mounted on /var/lib/postgresql (xfs) in the mount namespace of pid 4242 (postgres)'], 'disk mounted only in another mount namespace (reported once per namespace)');
  t.same(reasons('0000:00:1b.0'), ['backs the root filesystem (ext4)'], 'own namespace read once, not again through pid 1 in the same namespace');
  t.same(reasons('0000:00:14.0'), ['network interface eth2 is a member of bridge br0, which carries the default route'], 'bridge port whose bridge carries the default route');
  t.same(reasons('0000:00:15.0'), ['network interface eth3 is a member of bond bond0'], 'bond member');
  t.same(reasons('0000:00:16.0'), ['network interface eth4 is a member of master device team0'], 'team port (a team sets no DEVTYPE)');
  t.same(reasons('0000:00:17.0'), ['network interface eth5 is under eth5.100, which has an IPv4 address'], 'VLAN on top of it has an address');
  t.same(reasons('0000:00:18.0'), ['network interface eth6 is under br1, which carries the default route', 'network interface eth6 is a member of bond bond1'], 'bond member whose bond is in a routed bridge');
  t.same(reasons('0000:00:02.0'), ["is the boot VGA device (boot_vga=1): the host console's framebuffer is on it"], 'boot console GPU');
  for (const [d, what] of [['0000:00:1a.0', 'disk with nothing stacked, mounted or swapped'], ['0000:00:1c.0', 'NIC with no master and no address'], ['0000:00:19.0', 'GPU with boot_vga=0']]) {
    t.notOk(m.has(d), `not critical: ${what}`);
  }
});
