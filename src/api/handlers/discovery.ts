/** Discovery: open to every caller allowed onto the API socket. */
import * as wire from '../wire.js';
import { GroupEncoder } from '../encoded.js';
import { queryGroups } from '../../service/group-query.js';
import type { ListGroupsResponse } from '../../protocol/gen/vfiobroker/v1/ListGroupsResponse.js';
import type { HandlerSlice } from './kit.js';

export const discovery: HandlerSlice<'ListGroups' | 'GetGroup' | 'ListLeases'> = ({ service: s, unary }) => {
  // Groups encoded once per inventory version (see encoded.ts); one per server.
  const encoder = new GroupEncoder();
  return {
    ListGroups: unary((c, r) => {
      const page = queryGroups(s.host, s.leases, r);
      const claimOf = (id: number) => s.claims.table.claimOf(id)?.id;
      const groups = page.groups.map((g) => ({ ...g, claimId: claimOf(g.group.id) }));
      // Already in wire form: the server's ListGroups serializer passes Encoded through (passEncoded).
      return encoder.list(groups, s.seesOwner(c), page.nextPageToken) as unknown as ListGroupsResponse;
    }),
    GetGroup: unary((c, r) => {
      const g = s.getGroup(r.id);
      return { ...wire.group(g, s.seesOwner(c)), claim_id: s.claims.table.claimOf(g.group.id)?.id ?? '' };
    }),
    ListLeases: unary((c) => {
      const sees = s.seesOwner(c);
      return { leases: s.leases.all().map((l) => wire.lease(l, s.grants.ofLease(l.id).length, sees(l))) };
    }),
  };
};
