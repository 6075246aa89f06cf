/**
 * vfio-broker-device-plugin: offers the broker's IOMMU groups to the kubelet, one
 * endpoint per configured resource, and keeps three things in step:
 *  - the device lists, with the broker's groups (BrokerLink, Watch-driven);
 *  - the registrations, with the kubelet's lifetime: a new kubelet.sock (new inode)
 *    means a restarted kubelet, which also deletes our sockets; we serve again and
 *    register again, as the device plugin API asks of plugins;
 *  - the claims, with the pods (ClaimReaper over PodResources).
 * The directory is watched with fs.watch; a slow periodic check catches what a
 * watch can miss (the directory itself replaced).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerLink } from './broker-link.js';
import { groupPrefilters } from './group-prefilter.js';
import { ClaimStore } from './claims.js';
import { allocate } from './allocation.js';
import { offeredDevices, sameDevices, type OfferedDevice } from './device-list.js';
import { KUBELET_SOCKET_NAME } from './kubelet-api.js';
import type { PluginConfig } from './plugin-config.js';
import { ClaimReaper } from './reaper.js';
import { ResourceEndpoint } from './resource-endpoint.js';
import type { WireGroupOutput } from '../protocol/api-types.js';

export interface PluginLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export class VfioDevicePlugin {
  readonly endpoints: ResourceEndpoint[];
  readonly broker: BrokerLink;
  readonly claims: ClaimStore;
  readonly reaper: ClaimReaper;
  #devices = new Map<string, OfferedDevice[]>();
  #watcher: fs.FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Resolves every time the lists change (tests and logs use it). */
  onDevices: ((resource: string, devices: OfferedDevice[]) => void) | undefined;
  onRegistered: ((resource: string) => void) | undefined;

  constructor(readonly config: PluginConfig, private readonly log: PluginLog) {
    this.broker = new BrokerLink(config.apiSocket, (g) => this.#groups(g), log, groupPrefilters(config.resources.map((r) => r.selector)));
    this.claims = new ClaimStore(this.broker.api, config.stateDir);
    this.reaper = new ClaimReaper(config.podResourcesSocket, this.claims, config.reapGraceSeconds * 1000, log);
    this.endpoints = config.resources.map((r) => new ResourceEndpoint(r, {
      dir: config.devicePluginDir,
      devices: () => this.#devices.get(r.name) ?? [],
      allocate: (req) => allocate(req, r, this.#devices.get(r.name) ?? [], this.claims, config.brokerSocketDir),
      log,
    }));
  }

  devices(resource: string): OfferedDevice[] {
    return this.#devices.get(resource) ?? [];
  }

  async start(checkIntervalMs = 5000): Promise<void> {
    fs.mkdirSync(this.config.stateDir, { recursive: true, mode: 0o700 });
    this.broker.start();
    for (const e of this.endpoints) await e.serve();
    this.#watch();
    this.#timer = setInterval(() => this.reconcile(), checkIntervalMs);
    this.reaper.start(this.config.reapIntervalSeconds * 1000);
    await this.reconcile();
  }

  #groups(groups: WireGroupOutput[] | null): void {
    // Unreachable broker: nothing can be allocated, so every known device is Unhealthy.
    const next = groups === null
      ? new Map([...this.#devices].map(([r, l]) => [r, l.map((d) => ({ ...d, healthy: false, reason: 'broker unreachable' }))]))
      : offeredDevices(this.config.resources, groups, this.#devices);
    for (const e of this.endpoints) {
      const list = next.get(e.resource.name) ?? [];
      if (sameDevices(this.#devices.get(e.resource.name), list)) continue;
      this.#devices.set(e.resource.name, list);
      e.update();
      this.onDevices?.(e.resource.name, list);
    }
  }

  #watch(): void {
    try {
      this.#watcher?.close();
      this.#watcher = fs.watch(this.config.devicePluginDir, () => void this.reconcile());
      this.#watcher.on('error', () => { this.#watcher = undefined; });
    } catch (e) {
      // No directory yet (kubelet not started): the periodic check retries.
      this.log.warn(`cannot watch ${this.config.devicePluginDir}: ${(e as Error).message}`);
      this.#watcher = undefined;
    }
  }

  /** Serve where our socket vanished, register where the kubelet is new. Serialized. */
  reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling.then(() => this.#reconcileOnce()).catch((e: Error) => this.log.warn(`reconcile: ${e.message}`));
    return this.#reconciling;
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#watcher) this.#watch();
    let kubelet: number | null = null;
    try {
      const st = fs.statSync(path.join(this.config.devicePluginDir, KUBELET_SOCKET_NAME));
      if (st.isSocket()) kubelet = st.ino;
    } catch { /* no kubelet now */ }
    for (const e of this.endpoints) {
      if (!e.socketPresent()) {
        this.log.info(`${e.resource.name}: socket ${e.socketPath} gone (kubelet restart?); serving again`);
        await e.serve();
      }
      if (kubelet !== null && e.registeredWith !== kubelet) {
        try {
          await e.register(kubelet);
          this.log.info(`${e.resource.name}: registered with the kubelet as ${path.basename(e.socketPath)}`);
          this.onRegistered?.(e.resource.name);
        } catch (err) {
          this.log.warn(`${e.resource.name}: registration failed: ${(err as Error).message}`);
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watcher?.close();
    await this.#reconciling;
    this.reaper.stop();
    for (const e of this.endpoints) e.stop();
    this.broker.stop();
  }
}
