/**
 * The IOMMU group inventory kept current in memory. Read in full once (in a
 * worker: full-scan.ts), then kept up to date by re-reading only the group a
 * uevent or one of our own binds concerns. Nothing rescans on a timer and no
 * request ever scans: readers get the in-memory index, by group or device.
 */
import { SysfsInventory, type GroupInfo } from './inventory.js';
import { checkDeviceName } from './names.js';
import { fullScan } from './full-scan.js';

/** A kernel uevent, as much of it as the inventory needs. */
export interface DeviceEvent {
  action: string;
  devpath?: string;
  subsystem?: string;
  name: string;
}

export interface InventoryStats {
  fullScans: number;
  /** Wall time of each full scan (worker reads plus applying its chunks). */
  fullScanMs: number[];
  /** Single groups re-read on the daemon's thread (uevents, binds). */
  groupReads: number;
  /** Longest turn spent indexing one chunk of a full scan (what a scan costs the loop). */
  chunkMaxMs: number;
}

export class LiveInventory {
  readonly reader: SysfsInventory;
  readonly stats: InventoryStats = { fullScans: 0, fullScanMs: [], groupReads: 0, chunkMaxMs: 0 };
  #byId = new Map<number, GroupInfo>();
  #byDevice = new Map<string, number>();
  /** Sorted by id; replaced, never mutated, so a caller's array stays consistent. */
  #list: GroupInfo[] = [];
  #first: Promise<void> | null = null;
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;
  /** Groups re-read while a full scan runs: its snapshot may be older for them. */
  #touched: Set<number> | null = null;

  constructor(root = '/', readonly chunk = 128) {
    this.reader = new SysfsInventory(root);
  }

  /** Resolves once the first full read is in (starting it if need be). */
  ready(): Promise<void> {
    this.#first ??= this.rescan();
    return this.#first;
  }

  groups(): GroupInfo[] {
    return this.#list;
  }

  group(id: number): GroupInfo | undefined {
    return this.#byId.get(id);
  }

  /** From the index; throws InvalidNameError on a hostile name, as the sysfs reader did. */
  groupOfDevice(name: unknown): number | undefined {
    return this.#byDevice.get(checkDeviceName(name));
  }

  /** A uevent: re-read the group the device was in and the one it is in now. Returns the ids read. */
  deviceChanged(ev: DeviceEvent): number[] {
    const before = typeof ev.name === 'string' ? this.#byDevice.get(ev.name) : undefined;
    // A removed device has no link left to read; its old group is re-read below.
    const now = ev.action === 'remove' ? null : this.reader.groupLinkOf(ev.name, ev.devpath, ev.subsystem);
    const ids = new Set<number>();
    if (before !== undefined) ids.add(before);
    if (now !== null) ids.add(now);
    for (const id of ids) this.refreshGroup(id);
    return [...ids];
  }

  /** After our own bind/unbind of `name` (PCI): the same targeted re-read. */
  refreshDevice(name: string): number[] {
    return this.deviceChanged({ action: 'change', subsystem: 'pci', name });
  }

  /** A full re-read off the event loop; one more is queued if asked for while one runs. */
  rescan(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#fullScan().finally(() => { this.#running = null; });
      return this.#running;
    }
    this.#queued ??= this.#running.catch(() => {}).then(() => {
      this.#queued = null;
      return this.rescan();
    });
    return this.#queued;
  }

  async #fullScan(): Promise<void> {
    const started = performance.now();
    const byId = new Map<number, GroupInfo>();
    const byDevice = new Map<string, number>();
    const list: GroupInfo[] = [];
    this.#touched = new Set();
    try {
      await fullScan(this.reader.root, (chunk) => {
        const t0 = performance.now();
        for (const g of chunk) {
          byId.set(g.id, g);
          list.push(g); // the worker sends ids in ascending order
          for (const d of g.devices) byDevice.set(d.name, g.id);
        }
        this.stats.chunkMaxMs = Math.max(this.stats.chunkMaxMs, performance.now() - t0);
      }, this.chunk);
      const touched = this.#touched;
      this.#byId = byId;
      this.#byDevice = byDevice;
      this.#list = list;
      this.#touched = null;
      // Uevents that arrived meanwhile were applied to the old index: apply them again.
      for (const id of touched) this.refreshGroup(id);
    } finally {
      this.#touched = null;
    }
    this.stats.fullScans++;
    this.stats.fullScanMs.push(performance.now() - started);
  }

  refreshGroup(id: number): void {
    this.stats.groupReads++;
    this.#touched?.add(id);
    const g = this.reader.readGroupIfPresent(id);
    const old = this.#byId.get(id);
    if (old) for (const d of old.devices) if (this.#byDevice.get(d.name) === id) this.#byDevice.delete(d.name);
    if (g) {
      this.#byId.set(id, g);
      for (const d of g.devices) this.#byDevice.set(d.name, id);
    } else {
      this.#byId.delete(id);
    }
    this.#list = replaced(this.#list, id, g);
  }
}

/** A copy of the sorted list with group `id` replaced, inserted or (g null) removed. */
function replaced(list: GroupInfo[], id: number, g: GroupInfo | null): GroupInfo[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  const present = lo < list.length && list[lo].id === id;
  if (!g && !present) return list;
  const out = list.slice();
  if (g) out.splice(lo, present ? 1 : 0, g);
  else out.splice(lo, 1);
  return out;
}
