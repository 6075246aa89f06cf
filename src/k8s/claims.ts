/**
 * Claims as the plugin makes them: one per container the kubelet allocates to,
 * labelled so the plugin can find its own again (owner_ref), with the token in a
 * file the container gets read-only. The token file's directory is private to
 * root: the container sees only the one file, bind-mounted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ApiClient } from '../client/api-client.js';
import { MODE_WIRE, type Mode } from '../protocol/mode.js';
import { PLUGIN_OWNER_PREFIX } from '../protocol/k8s-env.js';
import type { ResponseOf } from '../protocol/api-types.js';

export type WireClaim = ResponseOf<'ListClaims'>['claims'][number];

/** `k8s-device-plugin:<resource>=<id>,<id>`: IDs (PCI addresses) hold no "=" or ",". */
export function ownerRef(resource: string, ids: string[]): string {
  return `${PLUGIN_OWNER_PREFIX}${resource}=${[...ids].sort().join(',')}`;
}

export function parseOwnerRef(ref: string): { resource: string; ids: string[] } | null {
  if (!ref.startsWith(PLUGIN_OWNER_PREFIX)) return null;
  const rest = ref.slice(PLUGIN_OWNER_PREFIX.length);
  const eq = rest.indexOf('=');
  if (eq <= 0) return null;
  return { resource: rest.slice(0, eq), ids: rest.slice(eq + 1).split(',').filter(Boolean) };
}

export const isLive = (c: WireClaim) => c.state !== 'ended';

export class ClaimStore {
  constructor(private readonly api: ApiClient, readonly stateDir: string) {}

  get claimsDir(): string {
    return path.join(this.stateDir, 'claims');
  }

  tokenPath(claimId: string): string {
    // Claim ids come from the broker; a path component must not be able to climb out.
    if (!/^[A-Za-z0-9._-]+$/.test(claimId) || claimId.startsWith('.')) throw new Error(`unexpected claim id ${JSON.stringify(claimId)}`);
    return path.join(this.claimsDir, claimId, 'token');
  }

  /** Our live claims, as the broker lists them. */
  async ours(): Promise<{ claim: WireClaim; resource: string; ids: string[] }[]> {
    const { claims } = await this.api.call('ListClaims');
    return claims.filter(isLive).flatMap((claim) => {
      const ref = parseOwnerRef(claim.owner_ref);
      return ref ? [{ claim, ...ref }] : [];
    });
  }

  /** Create the claim and its token file; the file is gone again if anything fails. */
  async create(resource: string, ids: string[], groups: number[], mode: Mode): Promise<{ claim: WireClaim; tokenFile: string }> {
    const res = await this.api.call('CreateClaim', { groups, mode: MODE_WIRE[mode], owner_ref: ownerRef(resource, ids), ttl_seconds: 0 });
    if (!res.claim) throw new Error('the broker answered CreateClaim without a claim');
    const tokenFile = this.tokenPath(res.claim.id);
    try {
      fs.mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
      fs.mkdirSync(path.dirname(tokenFile), { recursive: true, mode: 0o700 });
      // Readable by whatever uid the container runs as; only reachable through the mount.
      fs.writeFileSync(tokenFile, res.token, { mode: 0o444, flag: 'wx' });
    } catch (e) {
      await this.end(res.claim.id, 'the device plugin could not write the token file').catch(() => undefined);
      throw e;
    }
    return { claim: res.claim, tokenFile };
  }

  async end(claimId: string, reason: string): Promise<void> {
    try {
      await this.api.call('EndClaim', { claim_id: claimId, reason });
    } finally {
      this.removeToken(claimId);
    }
  }

  removeToken(claimId: string): void {
    try {
      fs.rmSync(path.dirname(this.tokenPath(claimId)), { recursive: true, force: true });
    } catch { /* not ours to worry about: a bad id has no file */ }
  }

  /** Token directories on disk (claims the plugin wrote files for), with their age. */
  tokenDirs(): { claimId: string; mtimeMs: number }[] {
    try {
      return fs.readdirSync(this.claimsDir).flatMap((claimId) => {
        try {
          return [{ claimId, mtimeMs: fs.statSync(path.join(this.claimsDir, claimId)).mtimeMs }];
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  }
}
