/** Leases: calls naming a session (its owner process, or the same uid with its secret). */
import * as wire from '../wire.js';
import { sess, type HandlerSlice } from './kit.js';

export const leases: HandlerSlice<'Acquire' | 'Release' | 'OpenDevice' | 'Reattach'> = ({ service: s, unary }) => ({
  Acquire: unary(async (c, r) => {
    const { id, secret } = sess(r);
    const res = await s.acquire(c, {
      sessionId: id, secret, groups: r.groups ?? [], devices: r.devices ?? [], mode: wire.mode(r.mode),
      onlyRequested: !!r.only_requested_devices, managed: !!r.managed,
      mdevType: r.mdev_type || undefined, mdevParent: r.mdev_parent || undefined, tag: r.request_tag,
    });
    return { lease_id: res.lease.id, request_id: res.requestId, deliveries: res.delivered.map(wire.delivery), groups: res.lease.groups, memlock_bytes: String(res.lease.memlockBytes), lease_secret: res.lease.secret, mdev_uuid: res.lease.mdev ?? '' };
  }),
  Release: unary((c, r) => {
    const { id, secret } = sess(r);
    s.release(c, id, secret, r.lease_id);
    return {};
  }),
  OpenDevice: unary(async (c, r) => {
    const { id, secret } = sess(r);
    const res = await s.openDevice(c, id, secret, r.lease_id, r.device);
    return { request_id: res.requestId, deliveries: res.delivered.map(wire.delivery) };
  }),
  Reattach: unary((c, r) => {
    const { id, secret } = sess(r);
    return { lease_ids: s.reattach(c, id, secret, Array.isArray(r.lease_ids) ? r.lease_ids : [], String(r.lease_secret ?? '')) };
  }),
});
