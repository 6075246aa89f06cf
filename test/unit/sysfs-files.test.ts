import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { SELF, SysfsFiles, SysfsName } from '../../src/kernel/sysfs/sysfs-files.js';
import { SysfsInventory } from '../../src/kernel/sysfs/inventory.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';

// SysfsFiles replaces readFileSync(…).trim(), readlinkSync and readdirSync in the
// inventory: it must answer exactly as they did, failures included.
const n = (name: string) => new SysfsName(name);
const viaFs = {
  attr: (p: string) => { try { return fs.readFileSync(p, 'utf8').trim(); } catch { return undefined; } },
  link: (p: string) => { try { return fs.readlinkSync(p); } catch { return null; } },
  list: (p: string) => { try { return fs.readdirSync(p); } catch { return null; } },
};

t.test('attributes read as readFileSync(…).trim() reads them', async (t) => {
  const dir = t.testdir({
    plain: '0x8086\n', empty: '', blank: ' \n\t\n', inner: '\tmid dle\r\n', unicode: '\u00a0 hé\u2028\n',
    big: `${'0x0 0xfff msi\n'.repeat(6000)}`, // beyond the 32 KiB read buffer
  });
  const files = new SysfsFiles();
  for (const name of ['plain', 'empty', 'blank', 'inner', 'unicode', 'big', 'missing']) {
    t.equal(files.attr(dir, n(name)), viaFs.attr(path.join(dir, name)), name);
  }
  t.equal(files.attr(dir, SELF), undefined, 'a directory is no attribute');
  t.throws(() => n('a\0b'), 'a NUL never reaches libc');
  t.throws(() => n('a/b'));
  t.equal(files.attr(`${dir}\0x`, n('plain')), undefined);
});

t.test('links and listings as readlinkSync and readdirSync give them', async (t) => {
  const dir = t.testdir({
    sub: { z: '', a: '', '.hidden': '', '..x': '', é: '' },
    file: '',
    drv: t.fixture('symlink', '../../bus/pci/drivers/vfio-pci'),
    trailing: t.fixture('symlink', 'a/b/'),
    bare: t.fixture('symlink', 'plain'),
  });
  const files = new SysfsFiles();
  for (const name of ['drv', 'trailing', 'bare', 'file', 'missing']) {
    const want = viaFs.link(path.join(dir, name));
    t.equal(files.link(dir, n(name)), want, name);
    t.equal(files.linkBase(dir, n(name)), want === null ? null : path.basename(want), `${name} (base)`);
  }
  t.same(files.list(dir, n('sub')), viaFs.list(path.join(dir, 'sub')), 'sorted, without . and ..');
  t.same(files.list(dir, SELF), viaFs.list(dir));
  t.equal(files.list(dir, n('file')), null, 'a file cannot be listed');
  t.equal(files.list(dir, n('missing')), null);
});

t.test('upstream bridges come from the group entry, or its real path when it is no link', async (t) => {
  const root = t.testdir();
  FakeSysfs.guestLike(root);
  const odd = path.join(root, 'sys/kernel/iommu_groups/9/devices/0000:0b:00.0');
  fs.mkdirSync(odd, { recursive: true });
  const byName = new Map(new SysfsInventory(root).scanGroups().flatMap((g) => g.devices).map((d) => [d.name, d]));
  t.same(byName.get('0000:02:01.0')!.upstream, ['0000:00:04.0', '0000:01:00.0']);
  t.same(byName.get('0000:00:03.0')!.upstream, []);
  t.same(byName.get('0000:0b:00.0')!.upstream, [], 'a directory, not a link: its own path has no PCI parents');
});
