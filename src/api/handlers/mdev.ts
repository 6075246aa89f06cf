/** Mediated devices: the inventory (open, like discovery); create and remove (admin). */
import type { Lease } from '../../broker/lease-table.js';
import type { MdevInstanceView } from '../../service/mdev.js';
import type { MdevInstance } from '../../protocol/gen/vfiobroker/v1/MdevInstance.js';
import * as wire from '../wire.js';
import type { HandlerSlice } from './kit.js';

function instance(i: MdevInstanceView, sees: (l: Lease) => boolean): MdevInstance {
  return {
    uuid: i.uuid, type: i.type, parent: i.parent, group: i.group ?? 0, has_group: i.group !== null, driver: i.driver ?? '',
    owner: i.owner ? wire.owner(i.owner, sees(i.owner)) : undefined, lease_owned: i.leaseOwned,
  };
}

export const mdev: HandlerSlice<'ListMdevTypes' | 'CreateMdev' | 'RemoveMdev'> = ({ service: s, unary }) => ({
  ListMdevTypes: unary((c) => {
    const inv = s.mdev.list();
    const sees = s.seesOwner(c);
    return {
      parents: inv.parents.map((p) => ({
        name: p.name, driver: p.driver ?? '',
        types: p.types.map((t) => ({ id: t.id, name: t.name, description: t.description, available_instances: t.availableInstances, device_api: t.deviceApi, instances: t.instances })),
      })),
      instances: inv.instances.map((i) => instance(i, sees)),
    };
  }),
  CreateMdev: unary((c, r) => {
    const i = s.mdev.create(c, r.parent || undefined, r.type, r.uuid || undefined);
    return { instance: instance({ ...i, leaseOwned: false }, () => true) };
  }),
  RemoveMdev: unary(async (c, r) => s.mdev.remove(c, r.uuid)),
});
