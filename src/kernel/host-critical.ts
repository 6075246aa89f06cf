/**
 * The host-critical guard: before taking a device away from its driver, find out
 * whether the host itself depends on it: a mounted filesystem (the root above
 * all) on a block device or a 9p/virtiofs share behind it, or a network interface
 * that has an address or carries the default route. Unbinding such a device
 * would take the host down with the VM's gain, so binding refuses and says why.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CriticalUse {
  device: string;
  reason: string;
}

const BDF = /\b([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\b/gi;

export class HostCriticalGuard {
  readonly root: string;

  constructor(root = '/') {
    this.root = root;
  }

  private p(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  private read(...parts: string[]): string {
    try {
      return fs.readFileSync(this.p(...parts), 'utf8');
    } catch {
      return '';
    }
  }

  /** PCI devices on the sysfs path of `link` (the device and every bridge above it). */
  private pciChain(link: string): string[] {
    try {
      const real = fs.realpathSync(this.p(link));
      return [...real.matchAll(BDF)].map((m) => m[1].toLowerCase());
    } catch {
      return [];
    }
  }

  /** Every critical use of any PCI device, keyed by device name. */
  scan(): Map<string, CriticalUse[]> {
    const out = new Map<string, CriticalUse[]>();
    const add = (chain: string[], reason: string) => {
      // Only the endpoint matters: bridges stay with pcieport and are never unbound.
      const dev = chain.at(-1);
      if (!dev) return;
      const list = out.get(dev) ?? [];
      if (!list.some((u) => u.reason === reason)) list.push({ device: dev, reason });
      out.set(dev, list);
    };

    // Mounted filesystems: block devices (and what they sit on), and virtio shares by tag.
    const tags = new Map<string, string>();
    for (const d of safeDir(this.p('sys/bus/virtio/devices'))) {
      const tag = this.read('sys/bus/virtio/devices', d, 'mount_tag').replace(/\0/g, '').trim();
      if (tag) tags.set(tag, `sys/bus/virtio/devices/${d}`);
    }
    const seenTags = new Set<string>();
    for (const line of this.read('proc/self/mountinfo').split('\n')) {
      const f = line.split(' ');
      if (f.length < 10) continue;
      const sep = f.indexOf('-');
      const [majmin, mountPoint] = [f[2], f[4]];
      const fstype = f[sep + 1];
      const source = f[sep + 2];
      const what = `${mountPoint === '/' ? 'the root filesystem' : `the filesystem mounted on ${mountPoint}`} (${fstype})`;
      if ((fstype === '9p' || fstype === 'virtiofs') && tags.has(source)) {
        seenTags.add(source);
        add(this.pciChain(tags.get(source)!), `backs ${what}, share "${source}"`);
        continue;
      }
      if (!/^\d+:\d+$/.test(majmin) || majmin.startsWith('0:')) continue;
      for (const link of this.blockLinks(`sys/dev/block/${majmin}`, 0)) add(this.pciChain(link), `backs ${what}`);
    }
    // A share mounted where this mount namespace cannot see it (the lower layer of
    // an overlay root set up by an initramfs, another namespace) is not listed
    // above, yet unbinding it hangs the kernel while it is in use. Unless it is
    // visibly unused, a bound share counts as critical; criticalOverride frees it.
    for (const [tag, link] of tags) {
      if (seenTags.has(tag) || !fs.existsSync(this.p(link, 'driver'))) continue;
      add(this.pciChain(link), `is the virtio share "${tag}", which may be mounted outside this mount namespace (an overlay root's lower layer, say); unbinding a mounted share hangs`);
    }

    // Network interfaces with an IPv4 route (an address gives a connected route) or a global IPv6 address.
    const routed = new Map<string, boolean>();
    for (const line of this.read('proc/net/route').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      routed.set(f[0], (routed.get(f[0]) ?? false) || (f[1] === '00000000' && f[7] === '00000000'));
    }
    const v6 = new Set<string>();
    for (const line of this.read('proc/net/if_inet6').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 6 && f[3] === '00') v6.add(f[5]);
    }
    for (const iface of safeDir(this.p('sys/class/net'))) {
      const chain = this.pciChain(`sys/class/net/${iface}/device`);
      if (!chain.length) continue;
      if (routed.get(iface)) add(chain, `network interface ${iface} carries the default route`);
      else if (routed.has(iface)) add(chain, `network interface ${iface} has an IPv4 address`);
      if (v6.has(iface)) add(chain, `network interface ${iface} has a global IPv6 address`);
    }
    return out;
  }

  /** The block device and, for dm/md/loop stacks, what it is built on. */
  private blockLinks(link: string, depth: number): string[] {
    if (depth > 4) return [];
    const out = [link];
    for (const s of safeDir(this.p(link, 'slaves'))) out.push(...this.blockLinks(`${link}/slaves/${s}`, depth + 1));
    return out;
  }
}

function safeDir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}
