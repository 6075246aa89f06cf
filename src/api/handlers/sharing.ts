/** Multi-process sharing: the owner grants, lists and revokes; a helper redeems from its own session. */
import * as wire from '../wire.js';
import { sess, type HandlerSlice } from './kit.js';

export const sharing: HandlerSlice<'Share' | 'ListGrants' | 'RevokeGrant' | 'Redeem'> = ({ service: s, unary }) => ({
  Share: unary((c, r) => {
    const { id, secret } = sess(r);
    const g = s.share(c, id, secret, {
      leaseId: r.lease_id, devices: r.devices ?? [], uid: r.uid, pid: r.pid, includeContainer: !!r.include_container,
      anyUid: !!r.any_uid, ttlSeconds: r.ttl_seconds, singleUse: !!r.single_use,
    });
    return { grant: g.token, grant_id: g.id, expires: g.expires.toISOString() };
  }),
  ListGrants: unary((c, r) => {
    const { id, secret } = sess(r);
    return { grants: s.listGrants(c, id, secret, r.lease_id).map(wire.grant) };
  }),
  RevokeGrant: unary((c, r) => {
    const { id, secret } = sess(r);
    s.revokeGrant(c, id, secret, r.lease_id, r.grant_id);
    return {};
  }),
  Redeem: unary(async (c, r) => {
    const { id, secret } = sess(r);
    const res = await s.redeem(c, id, secret, r.grant);
    return { lease_id: res.lease.id, request_id: res.requestId, deliveries: res.delivered.map(wire.delivery) };
  }),
});
