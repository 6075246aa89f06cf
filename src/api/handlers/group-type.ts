/** Admin: an IOMMU group's default domain type (the service checks the caller and the group's state). */
import type { HandlerSlice } from './kit.js';

export const groupType: HandlerSlice<'SetGroupType'> = ({ service: s, unary }) => ({
  SetGroupType: unary((c, r) => s.groupTypes.set(c, r.group, r.type, r.restore === true)),
});
