/**
 * Allocate: the kubelet has picked devices for a container; make a claim for their
 * groups and answer with what the container gets. No device node ever: the
 * broker's socket directory and the token file, both read-only, the variables
 * naming them, and the claim id as an annotation.
 */
import {
  ANNOTATION_CLAIM, CONTAINER_API_SOCKET, CONTAINER_FD_SOCKET, CONTAINER_SOCKET_DIR, CONTAINER_TOKEN_FILE,
} from '../protocol/k8s-env.js';
import { BROKER_ENV } from '../protocol/env.js';
import type { ClaimStore } from './claims.js';
import type { OfferedDevice } from './device-list.js';
import type { AllocateRequest, AllocateResponse, ContainerAllocateResponse } from './kubelet-api.js';
import type { ResourceConfig } from './plugin-config.js';

export class AllocationError extends Error {
  override name = 'AllocationError';
}

export function containerResponse(resource: string, claimId: string, brokerSocketDir: string, tokenFile: string): ContainerAllocateResponse {
  return {
    envs: {
      [BROKER_ENV.apiSocket]: CONTAINER_API_SOCKET,
      [BROKER_ENV.fdSocket]: CONTAINER_FD_SOCKET,
      [BROKER_ENV.claim]: claimId,
      [BROKER_ENV.claimTokenFile]: CONTAINER_TOKEN_FILE,
      [BROKER_ENV.resource]: resource,
    },
    mounts: [
      { container_path: CONTAINER_SOCKET_DIR, host_path: brokerSocketDir, read_only: true },
      { container_path: CONTAINER_TOKEN_FILE, host_path: tokenFile, read_only: true },
    ],
    devices: [],
    annotations: { [ANNOTATION_CLAIM]: claimId },
    cdi_devices: [],
  };
}

/**
 * One claim per container request. Claims of ours still holding these groups are
 * stale by the kubelet's own word (it gives a device to one container at a time),
 * so they are ended first. If any container fails, the claims made so far end too.
 */
export async function allocate(
  req: AllocateRequest, resource: ResourceConfig, devices: OfferedDevice[], store: ClaimStore, brokerSocketDir: string,
): Promise<AllocateResponse> {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const made: string[] = [];
  try {
    const out: ContainerAllocateResponse[] = [];
    for (const c of req.container_requests) {
      const ids = c.devices_ids;
      if (ids.length === 0) throw new AllocationError('no device ids in the request');
      const unknown = ids.filter((id) => !byId.has(id));
      if (unknown.length) throw new AllocationError(`unknown device id(s) ${unknown.join(', ')} for ${resource.name}`);
      const groups = ids.map((id) => byId.get(id)!.group);
      for (const o of await store.ours()) {
        if (o.claim.groups.some((g) => groups.includes(g))) await store.end(o.claim.id, `re-allocated by the kubelet to another container (${resource.name})`);
      }
      const { claim, tokenFile } = await store.create(resource.name, ids, groups, resource.mode);
      made.push(claim.id);
      out.push(containerResponse(resource.name, claim.id, brokerSocketDir, tokenFile));
    }
    return { container_responses: out };
  } catch (e) {
    for (const id of made) await store.end(id, 'allocation failed').catch(() => undefined);
    throw e;
  }
}
