/** Admin: root or the configured admin group (the service checks); Status is open to every caller. */
import type { StatusResponse } from '../../protocol/gen/vfiobroker/v1/StatusResponse.js';
import * as wire from '../wire.js';
import type { HandlerKit } from './kit.js';
import type { BrokerHandlers } from '../../protocol/api-types.js';

export const admin = ({ service: s, unary }: HandlerKit, statusExtra?: () => StatusResponse): Pick<BrokerHandlers, 'Revoke' | 'Holders' | 'Status' | 'Bind' | 'Unbind'> => ({
  Revoke: unary(async (c, r) => {
    const res = await s.revoke(c, String(r.lease_id ?? ''), Number(r.deadline_ms ?? 0));
    return { ended: res.ended, still_held_by: res.stillHeldBy.map(wire.holder), note: res.note };
  }),
  Holders: unary((c, r) => {
    const res = s.holders(c, r.group);
    return { holders: res.holders.map(wire.holder), owner: res.owner ? wire.owner(res.owner) : undefined };
  }),
  Status: unary(() => ({ ...wire.status(s.status()), ...statusExtra?.() })),
  Bind: unary(async (c, r) => ({ devices: (await s.bind(c, r.group)).map(wire.binding) })),
  Unbind: unary(async (c, r) => ({ devices: (await s.unbind(c, r.group)).map(wire.binding) })),
});
