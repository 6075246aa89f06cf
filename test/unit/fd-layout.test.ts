import t from 'tap';
import { layout, LayoutError } from '../../src/client/fd-layout.js';

t.test('legacy layout: fixed numbers from 3, env description, placeholders', async (t) => {
  const l = layout({ container: 40, groups: new Map([[7, 41]]), devices: new Map([['0000:00:03.0', 42]]), cdevs: new Map() },
    ['prog', '--ctr={container}', '--dev={device:0000:00:03.0}', '--grp={group:7}']);
  t.same(l.inherit, [40, 41, 42]);
  t.same(l.env, { VFIO_CONTAINER_FD: '3', VFIO_GROUP_FDS: '7=4', VFIO_DEVICE_FDS: '0000:00:03.0=5' });
  t.same(l.argv, ['prog', '--ctr=3', '--dev=5', '--grp=4']);
  t.throws(() => layout({ groups: new Map(), devices: new Map(), cdevs: new Map() }, ['{device:0000:00:09.0}']), LayoutError);
  t.throws(() => layout({ container: 3, groups: new Map(), devices: new Map(), cdevs: new Map() }, ['x'], { qemu: true }), /iommufd lease/);
});

t.test('qemu iommufd arguments', async (t) => {
  const l = layout({ groups: new Map(), devices: new Map(), iommufd: 50, cdevs: new Map([['0000:00:03.0', 51], ['0000:00:04.0', 52]]) },
    ['qemu-system-x86_64', '-S', '--device', 'fd={cdev:0000:00:04.0}'], { qemu: true });
  t.same(l.inherit, [50, 51, 52]);
  t.same(l.argv, [
    'qemu-system-x86_64', '-S', '--device', 'fd=5',
    '-object', 'iommufd,id=vfio-broker-iommufd0,fd=3',
    '-device', 'vfio-pci,iommufd=vfio-broker-iommufd0,fd=4,id=vfio-broker-hostdev0',
    '-device', 'vfio-pci,iommufd=vfio-broker-iommufd0,fd=5,id=vfio-broker-hostdev1',
  ]);
  t.same(l.env, { VFIO_IOMMUFD_FD: '3', VFIO_CDEV_FDS: '0000:00:03.0=4,0000:00:04.0=5' });
});
