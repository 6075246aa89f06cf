/**
 * The guest suite's entry point, run as root inside the test guest. Binds the
 * test devices, then runs every test/guest/*.guest.ts as a subtest named after
 * its file. One suite failing never stops the others.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindForTests } from './topology.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const variant = process.env.VFIO_BROKER_GUEST_VARIANT ?? 'iommu';
const only = process.env.VFIO_BROKER_GUEST_ONLY;

t.test('setup: bind test devices to vfio-pci', async (t) => {
  const topo = bindForTests();
  t.pass(`standalone edu ${topo.standaloneEdu}, shared group ${topo.shared.group}, non-viable group ${topo.nonViable.group}`);
});

// The systemd boot runs the service suite only; the others run under the plain init.
const forVariant = (f: string) => (variant === 'systemd') === (f === 'systemd.guest.ts');
// VFIO_BROKER_GUEST_PART splits the iommu boot in two (test/vm/guest.test.ts): part 2 takes these.
const PART_2 = new Set(['group-type', 'interrupts', 'iommufd', 'mdev', 'pod', 'races', 'slot-isolation']);
const part = process.env.VFIO_BROKER_GUEST_PART;
const inPart = (f: string) => !part || (part === '2') === PART_2.has(f.replace(/\.guest\.ts$/, ''));
const files = fs.readdirSync(here).filter((f) => f.endsWith('.guest.ts')).filter(forVariant).filter(inPart).filter((f) => !only || f.includes(only)).sort();
for (const f of files) {
  t.test(f.replace(/\.guest\.ts$/, ''), async (t) => {
    const mod = await import(pathToFileURL(path.join(here, f)).href);
    await mod.default(t, variant);
  });
}
