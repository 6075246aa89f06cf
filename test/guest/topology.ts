/**
 * The guest's devices, found by what they are (vendor:device, parent bridge),
 * never by hard-coded addresses or group numbers.
 */
import fs from 'node:fs';
import path from 'node:path';

const PCI = '/sys/bus/pci/devices';
export const EDU = '0x1234:0x11e8';
export const TESTDEV = '0x1b36:0x0005';
export const RNG = '0x1af4:0x1005';
export const NINEP = '0x1af4:0x1009';

const read = (p: string) => fs.readFileSync(p, 'utf8').trim();
export const idOf = (bdf: string) => `${read(`${PCI}/${bdf}/vendor`)}:${read(`${PCI}/${bdf}/device`)}`;
/** The device's IOMMU group, or -1 (noiommu devices get one only once vfio-pci binds them). */
export const groupOf = (bdf: string) => { try { return Number(path.basename(fs.readlinkSync(`${PCI}/${bdf}/iommu_group`))); } catch { return -1; } };
export const driverOf = (bdf: string) => { try { return path.basename(fs.readlinkSync(`${PCI}/${bdf}/driver`)); } catch { return null; } };
const parentOf = (bdf: string) => path.basename(path.dirname(fs.realpathSync(`${PCI}/${bdf}`)));

export interface Topology {
  /** Edus alone in their group on the root bus (two of them). */
  standaloneEdu: string;
  standaloneEdu2: string;
  shared: { bridge: string; edu: string; testdev: string; group: number };
  nonViable: { bridge: string; edu: string; rng: string; group: number };
  ninep: string;
  /** Two edus behind root ports that are functions of one multifunction slot (absent in older layouts). */
  slot?: { ports: [string, string]; edus: [string, string] };
  group(bdf: string): number;
}

/** Edus behind root ports on the root bus whose slot has more than one function. */
function multifunctionSlot(all: string[], edus: string[]): Topology['slot'] {
  const slotOf = (b: string) => b.replace(/\.[0-7]$/, '');
  const behind = edus.filter((e) => { const p = parentOf(e); return /\.[0-7]$/.test(p) && parentOf(p).startsWith('pci0000'); });
  for (const e of behind) {
    const sib = behind.find((x) => x !== e && slotOf(parentOf(x)) === slotOf(parentOf(e)));
    if (sib && all.includes(parentOf(e))) {
      const pair = [e, sib].sort((a, b) => parentOf(a).localeCompare(parentOf(b)));
      return { ports: [parentOf(pair[0]), parentOf(pair[1])], edus: [pair[0], pair[1]] };
    }
  }
  return undefined;
}

export function findTopology(): Topology {
  const all = fs.readdirSync(PCI).sort();
  const by = (id: string) => all.filter((b) => idOf(b) === id);
  const edus = by(EDU);
  const rootEdus = edus.filter((b) => parentOf(b).startsWith('pci0000'));
  const [testdev] = by(TESTDEV);
  const [rng] = by(RNG);
  const sharedEdu = edus.find((b) => parentOf(b) === parentOf(testdev))!;
  const nvEdu = edus.find((b) => parentOf(b) === parentOf(rng))!;
  if (rootEdus.length < 2 || !testdev || !rng || !sharedEdu || !nvEdu) throw new Error(`unexpected guest topology: ${all.map((b) => `${b}=${idOf(b)}`).join(' ')}`);
  return {
    standaloneEdu: rootEdus[0],
    standaloneEdu2: rootEdus[1],
    // Groups are read when asked for: binding can create them (noiommu).
    shared: { bridge: parentOf(testdev), edu: sharedEdu, testdev, get group() { return groupOf(testdev); } },
    nonViable: { bridge: parentOf(rng), edu: nvEdu, rng, get group() { return groupOf(rng); } },
    ninep: by(NINEP)[0],
    slot: multifunctionSlot(all, edus),
    group: groupOf,
  };
}

/** driver_override + unbind + drivers_probe, then check which driver really took it. */
export function bindVfioPci(bdf: string): void {
  fs.writeFileSync(`${PCI}/${bdf}/driver_override`, 'vfio-pci');
  const cur = driverOf(bdf);
  if (cur === 'vfio-pci') return;
  if (cur) fs.writeFileSync(`${PCI}/${bdf}/driver/unbind`, bdf);
  try { fs.writeFileSync('/sys/bus/pci/drivers_probe', bdf); } catch { /* verified below */ }
  const now = driverOf(bdf);
  if (now !== 'vfio-pci') throw new Error(`${bdf}: expected vfio-pci after drivers_probe, found ${now ?? 'no driver'}`);
}

/** Every edu and the pci-testdev on vfio-pci; virtio-rng stays on virtio-pci (its group stays non-viable). */
export function bindForTests(t: Topology = findTopology()): Topology {
  for (const b of [t.standaloneEdu, t.standaloneEdu2, t.shared.edu, t.shared.testdev, t.nonViable.edu, ...(t.slot?.edus ?? [])]) bindVfioPci(b);
  return t;
}
