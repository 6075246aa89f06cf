/**
 * The host-critical guard: before taking a device away from its driver, find out
 * whether the host itself depends on it. Unbinding such a device would take the
 * host down with the VM's gain, so binding refuses and says why. It looks for:
 * filesystems mounted from a block device or a 9p/virtiofs share behind it, in
 * any mount namespace; swap; disks something is stacked on (dm/LVM, md, bcache:
 * `holders/`); network interfaces with an address or the default route, or
 * under a bridge/bond/team/VLAN that has one, or enslaved at all; and the boot
 * VGA device the console's framebuffer is on.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CriticalUse {
  device: string;
  reason: string;
}

type Add = (chain: string[], reason: string) => void;

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

  private linkName(...parts: string[]): string | undefined {
    try {
      return path.basename(fs.readlinkSync(this.p(...parts)));
    } catch {
      return undefined;
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
    const add: Add = (chain, reason) => {
      // Only the endpoint matters: bridges stay with pcieport and are never unbound.
      const dev = chain.at(-1);
      if (!dev) return;
      const list = out.get(dev) ?? [];
      if (!list.some((u) => u.reason === reason)) list.push({ device: dev, reason });
      out.set(dev, list);
    };
    this.mounts(add);
    this.swaps(add);
    this.heldDisks(add);
    this.network(add);
    for (const d of safeDir(this.p('sys/bus/pci/devices'))) {
      if (this.read('sys/bus/pci/devices', d, 'boot_vga').trim() === '1') add([d.toLowerCase()], 'is the boot VGA device (boot_vga=1): the host console\'s framebuffer is on it');
    }
    return out;
  }

  /**
   * Mount tables: ours, and one per other mount namespace (a container's mounts
   * are invisible in ours, yet pull its disk and the container goes with it).
   */
  private mountTables(): { where: string; text: string }[] {
    const tables = [{ where: '', text: this.read('proc/self/mountinfo') }];
    const own = this.linkName('proc/self/ns/mnt');
    const seen = new Set(own ? [own] : []);
    for (const pid of safeDir(this.p('proc'))) {
      if (!/^\d+$/.test(pid)) continue;
      const ns = this.linkName('proc', pid, 'ns/mnt');
      if (!ns || seen.has(ns)) continue;
      seen.add(ns);
      const text = this.read('proc', pid, 'mountinfo');
      if (text) tables.push({ where: ` in the mount namespace of pid ${pid} (${this.read('proc', pid, 'comm').trim() || '?'})`, text });
    }
    return tables;
  }

  /** Mounted filesystems: block devices (and what they sit on), and virtio shares by tag. */
  private mounts(add: Add): void {
    const tags = new Map<string, string>();
    for (const d of safeDir(this.p('sys/bus/virtio/devices'))) {
      const tag = this.read('sys/bus/virtio/devices', d, 'mount_tag').replace(/\0/g, '').trim();
      if (tag) tags.set(tag, `sys/bus/virtio/devices/${d}`);
    }
    const seenTags = new Set<string>();
    for (const { where, text } of this.mountTables()) {
      for (const line of text.split('\n')) {
        const f = line.split(' ');
        if (f.length < 10) continue;
        const sep = f.indexOf('-');
        const [majmin, mountPoint] = [f[2], f[4]];
        const fstype = f[sep + 1];
        const source = f[sep + 2];
        const what = `${mountPoint === '/' ? 'the root filesystem' : `the filesystem mounted on ${mountPoint}`} (${fstype})${where}`;
        if ((fstype === '9p' || fstype === 'virtiofs') && tags.has(source)) {
          seenTags.add(source);
          add(this.pciChain(tags.get(source)!), `backs ${what}, share "${source}"`);
          continue;
        }
        if (!/^\d+:\d+$/.test(majmin) || majmin.startsWith('0:')) continue;
        for (const link of this.blockLinks(`sys/dev/block/${majmin}`, 0)) add(this.pciChain(link), `backs ${what}`);
      }
    }
    // A share mounted where no namespace's table shows it (the lower layer of an
    // overlay root set up by an initramfs) is not listed above, yet unbinding it
    // hangs the kernel while it is in use. Unless it is visibly unused, a bound
    // share counts as critical; criticalOverride frees it.
    for (const [tag, link] of tags) {
      if (seenTags.has(tag) || !fs.existsSync(this.p(link, 'driver'))) continue;
      add(this.pciChain(link), `is the virtio share "${tag}", which may be mounted outside this mount namespace (an overlay root's lower layer, say); unbinding a mounted share hangs`);
    }
  }

  /** Swap partitions and volumes (a swap file is on a mounted filesystem, found above). */
  private swaps(add: Add): void {
    for (const line of this.read('proc/swaps').split('\n').slice(1)) {
      const [file, type] = line.trim().split(/\s+/);
      if (type !== 'partition' || !file) continue;
      const name = this.blockName(file.replace(/\\040/g, ' '));
      if (!name) continue;
      for (const link of this.blockLinks(`sys/class/block/${name}`, 0)) add(this.pciChain(link), `backs swap space ${file}`);
    }
  }

  /** The kernel name (sda2, dm-1) of a /dev path from /proc/swaps. */
  private blockName(file: string): string | undefined {
    const mapper = /^\/dev\/mapper\/(.+)$/.exec(file);
    if (mapper) return safeDir(this.p('sys/class/block')).find((b) => this.read('sys/class/block', b, 'dm/name').trim() === mapper[1]);
    let name = path.basename(file);
    try {
      name = path.basename(fs.realpathSync(this.p(file)));
    } catch {
      // no /dev under a test root: the path's own name
    }
    return fs.existsSync(this.p('sys/class/block', name)) ? name : undefined;
  }

  /** Disks with something stacked on them or their partitions (dm/LVM, md, bcache): in use even when nothing is mounted. */
  private heldDisks(add: Add): void {
    for (const disk of safeDir(this.p('sys/block'))) {
      const uses: string[] = [];
      const held = (dir: string, label: string) => {
        const holders = safeDir(this.p('sys/block', disk, dir, 'holders')).map((h) => {
          const dm = this.read('sys/class/block', h, 'dm/name').trim();
          return dm ? `${h} "${dm}"` : h;
        });
        if (holders.length) uses.push(`${label} is held by ${holders.join(', ')}`);
      };
      held('.', `disk ${disk}`);
      for (const part of safeDir(this.p('sys/block', disk))) {
        if (fs.existsSync(this.p('sys/block', disk, part, 'partition'))) held(part, `partition ${part} of disk ${disk}`);
      }
      for (const u of uses) add(this.pciChain(`sys/block/${disk}`), `${u} (device-mapper/LVM, md or another stacked device)`);
    }
  }

  /** The block device and, for dm/md/loop stacks, what it is built on. */
  private blockLinks(link: string, depth: number): string[] {
    if (depth > 4) return [];
    const out = [link];
    for (const s of safeDir(this.p(link, 'slaves'))) out.push(...this.blockLinks(`${link}/slaves/${s}`, depth + 1));
    return out;
  }

  /**
   * Network interfaces with an IPv4 route (an address gives a connected route) or
   * a global IPv6 address, themselves or through a device above them (bridge,
   * bond, team, VLAN); and any interface enslaved to a master: unbinding a port
   * changes a bridge or bond the host set up on purpose.
   */
  private network(add: Add): void {
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
    const use = (n: string): string | undefined => (routed.get(n) ? 'carries the default route' : routed.has(n) ? 'has an IPv4 address' : v6.has(n) ? 'has a global IPv6 address' : undefined);
    for (const iface of safeDir(this.p('sys/class/net'))) {
      const chain = this.pciChain(`sys/class/net/${iface}/device`);
      if (!chain.length) continue;
      const own = use(iface);
      if (own) add(chain, `network interface ${iface} ${own}`);
      if (v6.has(iface) && routed.has(iface)) add(chain, `network interface ${iface} has a global IPv6 address`);
      const master = this.linkName('sys/class/net', iface, 'master');
      let flagged = false;
      for (const up of this.uppers(iface, 0)) {
        const u = use(up);
        if (!u) continue;
        flagged ||= up === master;
        add(chain, `network interface ${iface} ${up === master ? `is a member of ${this.netKind(up)} ${up}` : `is under ${up}`}, which ${u}`);
      }
      if (master && !flagged) add(chain, `network interface ${iface} is a member of ${this.netKind(master)} ${master}`);
    }
  }

  /** Every device stacked above an interface (its master and upper_* links, transitively). */
  private uppers(iface: string, depth: number): string[] {
    if (depth > 4) return [];
    const dir = `sys/class/net/${iface}`;
    const direct = new Set(safeDir(this.p(dir)).filter((n) => n.startsWith('upper_')).map((n) => n.slice('upper_'.length)));
    const master = this.linkName(dir, 'master');
    if (master) direct.add(master);
    return [...direct].flatMap((u) => [u, ...this.uppers(u, depth + 1)]);
  }

  private netKind(iface: string): string {
    const devtype = /^DEVTYPE=(\w+)/m.exec(this.read('sys/class/net', iface, 'uevent'))?.[1];
    if (devtype) return devtype;
    if (fs.existsSync(this.p('sys/class/net', iface, 'bridge'))) return 'bridge';
    if (fs.existsSync(this.p('sys/class/net', iface, 'bonding'))) return 'bond';
    return 'master device';
  }
}

function safeDir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}
