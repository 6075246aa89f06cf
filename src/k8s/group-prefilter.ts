/**
 * Which groups the plugin needs from the broker: on a host with thousands of
 * virtual functions a resource for one NIC model should not pull the whole
 * inventory on every Watch event. The broker's ListGroups filters (a group is
 * returned when any member matches) give a superset of what a vendor:device or
 * class selector matches, since such a selector needs every member to match one
 * of its entries; the plugin still applies the full selector to what comes back.
 * Selectors naming groups, devices, mdev types or "any" need the full list.
 */
import type { DeviceSelector } from '../protocol/device-selector.js';

export interface GroupFilter {
  vendor_device?: string;
  class?: string;
}

/** The ListGroups calls whose union covers every selector, or null for one unfiltered call. */
export function groupPrefilters(selectors: DeviceSelector[]): GroupFilter[] | null {
  const out = new Map<string, GroupFilter>();
  for (const s of selectors) {
    if (s.any || s.groups?.length || s.devices?.length || s.mdevTypes?.length) return null;
    // The selector's "*" is the filter's empty half ("8086:" any device of that vendor).
    for (const vd of s.vendorDevice ?? []) out.set(`vd ${vd}`, { vendor_device: vd.replace(/\*/g, '') });
    for (const c of s.classes ?? []) out.set(`class ${c}`, { class: c });
  }
  return [...out.values()];
}
