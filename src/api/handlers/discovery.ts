/** Discovery: open to every caller allowed onto the API socket. */
import * as wire from '../wire.js';
import type { HandlerSlice } from './kit.js';

export const discovery: HandlerSlice<'ListGroups' | 'GetGroup' | 'ListLeases'> = ({ service: s, unary }) => ({
  ListGroups: unary((c) => {
    const sees = s.seesOwner(c);
    return { groups: s.listGroups().map((g) => ({ ...wire.group(g, sees), claim_id: s.claims.table.claimOf(g.group.id)?.id ?? '' })) };
  }),
  GetGroup: unary((c, r) => {
    const g = s.getGroup(r.id);
    return { ...wire.group(g, s.seesOwner(c)), claim_id: s.claims.table.claimOf(g.group.id)?.id ?? '' };
  }),
  ListLeases: unary((c) => {
    const sees = s.seesOwner(c);
    return { leases: s.leases.all().map((l) => wire.lease(l, s.grants.ofLease(l.id).length, sees(l))) };
  }),
});
