/** Discovery: open to every caller allowed onto the API socket. */
import * as wire from '../wire.js';
import type { HandlerSlice } from './kit.js';

export const discovery: HandlerSlice<'ListGroups' | 'GetGroup' | 'ListLeases'> = ({ service: s, unary }) => ({
  ListGroups: unary((c) => {
    const sees = s.seesOwner(c);
    return { groups: s.listGroups().map((g) => wire.group(g, sees)) };
  }),
  GetGroup: unary((c, r) => wire.group(s.getGroup(r.id), s.seesOwner(c))),
  ListLeases: unary((c) => {
    const sees = s.seesOwner(c);
    return { leases: s.leases.all().map((l) => wire.lease(l, s.grants.ofLease(l.id).length, sees(l))) };
  }),
});
