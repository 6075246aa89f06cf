/**
 * Claims end when their pod does. The device plugin API has no Deallocate, so the
 * kubelet's PodResources List is the word on which devices are still assigned: a
 * claim of ours none of whose devices is assigned any more is ended (and with it
 * its lease). A claim younger than the grace period is left alone: Allocate runs
 * before the pod's containers exist, and PodResources may not list it yet.
 */
import * as grpc from '@grpc/grpc-js';
import type { ClaimStore } from './claims.js';
import { loadKubeletApi, unary, type ListPodResourcesResponse } from './kubelet-api.js';

export interface ReapLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** "resource=id" for every device the kubelet lists as assigned. */
export function assignedDevices(res: ListPodResourcesResponse): Set<string> {
  const out = new Set<string>();
  for (const p of res.pod_resources) for (const c of p.containers) for (const d of c.devices) for (const id of d.device_ids) out.add(`${d.resource_name}=${id}`);
  return out;
}

export class ClaimReaper {
  #client: grpc.Client;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<string[]> | undefined;

  constructor(podResourcesSocket: string, private readonly store: ClaimStore, private readonly graceMs: number, private readonly log: ReapLog, private readonly now = () => Date.now()) {
    const { podResources } = loadKubeletApi();
    this.#client = new podResources.Client(`unix:${podResourcesSocket}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.reap().catch((e: Error) => this.log.warn(`reaping claims failed: ${e.message}`)), intervalMs);
    this.#timer.unref();
  }

  /** One pass; returns the ids of the claims it ended. Never ends anything when the kubelet cannot be asked. */
  reap(): Promise<string[]> {
    this.#running ??= this.#pass().finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async #pass(): Promise<string[]> {
    const assigned = assignedDevices(await unary<object, ListPodResourcesResponse>(this.#client, 'List', {}));
    const ours = await this.store.ours();
    const ended: string[] = [];
    for (const o of ours) {
      const age = this.now() - Date.parse(o.claim.created);
      if (!(age >= this.graceMs)) continue;
      if (o.ids.some((id) => assigned.has(`${o.resource}=${id}`))) continue;
      await this.store.end(o.claim.id, `pod gone: the kubelet no longer assigns ${o.resource} ${o.ids.join(', ')}`);
      this.log.info(`ended claim ${o.claim.id} (${o.resource} ${o.ids.join(', ')}): no pod holds its devices`);
      ended.push(o.claim.id);
    }
    // Token files of claims that ended some other way (an admin's EndClaim, expiry);
    // young ones may belong to an Allocate that ran after the list was read.
    const live = new Set(ours.map((o) => o.claim.id));
    for (const d of this.store.tokenDirs()) {
      if (!live.has(d.claimId) && !ended.includes(d.claimId) && this.now() - d.mtimeMs >= this.graceMs) this.store.removeToken(d.claimId);
    }
    return ended;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#client.close();
  }
}
