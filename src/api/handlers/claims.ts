/**
 * Claims: created, listed and ended by admins (the device plugin); redeemed by
 * the pod's workload on its own session (the service checks token and pod).
 */
import type { Claim } from '../../broker/claim-table.js';
import { MODE_WIRE } from '../../protocol/mode.js';
import type { Claim as WireClaim } from '../../protocol/gen/vfiobroker/v1/Claim.js';
import * as wire from '../wire.js';
import { sess, type HandlerSlice } from './kit.js';

export function claim(c: Claim): WireClaim {
  return {
    id: c.id, groups: c.groups, mode: MODE_WIRE[c.mode], state: c.state, owner_ref: c.ownerRef, pod_uid: c.podUid ?? '',
    lease_id: c.leaseId ?? '', created: c.created.toISOString(), expires: c.expires?.toISOString() ?? '',
  };
}

export const claims: HandlerSlice<'CreateClaim' | 'ListClaims' | 'EndClaim' | 'RedeemClaim'> = ({ service: s, unary }) => ({
  CreateClaim: unary((c, r) => {
    const res = s.claims.create(c, { groups: r.groups ?? [], devices: r.devices ?? [], mode: wire.mode(r.mode), ownerRef: r.owner_ref, ttlSeconds: Number(r.ttl_seconds ?? 0) });
    return { claim: claim(res.claim), token: res.token };
  }),
  ListClaims: unary((c) => ({ claims: s.claims.list(c).map(claim) })),
  EndClaim: unary((c, r) => ({ claim: claim(s.claims.end(c, String(r.claim_id ?? ''), String(r.reason ?? ''))) })),
  RedeemClaim: unary(async (c, r) => {
    const { id, secret } = sess(r);
    const res = await s.claims.redeem(c, id, secret, String(r.claim_id ?? ''), String(r.token ?? ''), r.request_tag);
    return { lease_id: res.lease.id, request_id: res.requestId, deliveries: res.delivered.map(wire.delivery), groups: res.lease.groups, memlock_bytes: String(res.lease.memlockBytes), lease_secret: res.lease.secret };
  }),
});
