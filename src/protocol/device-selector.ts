/**
 * The device selector language: which IOMMU groups a selector covers, by group
 * number, device name, vendor:device or class prefix. The broker's policy rules
 * and the Kubernetes device plugin's resources both use it, so it lives here,
 * pure and shared, rather than in the server-only policy module.
 */

/** sysfs device names: must start alphanumeric, which rules out ".", ".." and hidden entries. */
export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;
/** mdev type ids (mtty-2, nvidia-35, i915-GVTg_V5_4). */
export const MDEV_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,63}$/;

export interface DeviceSelector {
  /** Group numbers. */
  groups?: number[];
  /** Device names (BDFs for PCI). */
  devices?: string[];
  /** "1234:11e8"; either side may be "*". */
  vendorDevice?: string[];
  /** Class prefixes such as "0x0200" or "0x00ff00". */
  classes?: string[];
  /** Mediated device types by id (mtty-2, nvidia-35): covers instances of them, and Acquire of the type. */
  mdevTypes?: string[];
  /** Every device. */
  any?: boolean;
}

/** What matching needs of a group: the broker's GroupFacts and a wire Group both fit. */
export interface SelectableGroup {
  id: number;
  devices: { name: string; vendor?: string; device?: string; class?: string; bridge: boolean; mdevType?: string }[];
}

const SELECTOR_KEYS = new Set(['groups', 'devices', 'vendorDevice', 'classes', 'mdevTypes', 'any']);

/** Validate a selector from JSON; mistakes are appended to `problems`, each prefixed with `where`. */
export function parseSelector(v: unknown, where: string, problems: string[]): DeviceSelector {
  if (v === undefined) {
    problems.push(`${where} is required (use {"any": true} to allow every device)`);
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push(`${where} must be an object`);
    return {};
  }
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!SELECTOR_KEYS.has(k)) problems.push(`${where}: unknown key "${k}"`);
  const strings = (k: string, re: RegExp, hint: string): string[] | undefined => {
    if (s[k] === undefined) return undefined;
    if (!Array.isArray(s[k]) || (s[k] as unknown[]).some((x) => typeof x !== 'string' || !re.test(x))) {
      problems.push(`${where}.${k} must be a list of ${hint}`);
      return undefined;
    }
    return (s[k] as string[]).map((x) => x.toLowerCase());
  };
  const out: DeviceSelector = {
    devices: strings('devices', DEVICE_NAME, 'device names such as "0000:01:00.0"'),
    vendorDevice: strings('vendorDevice', /^(0x)?([0-9a-f]{4}|\*):(0x)?([0-9a-f]{4}|\*)$/i, '"vvvv:dddd" ids'),
    classes: strings('classes', /^(0x)?[0-9a-f]{2,6}$/i, 'class prefixes such as "0x0200"'),
    mdevTypes: strings('mdevTypes', MDEV_TYPE, 'mdev type ids such as "mtty-2"'),
  };
  if (s.groups !== undefined) {
    if (!Array.isArray(s.groups) || s.groups.some((g) => !Number.isInteger(g) || (g as number) < 0)) problems.push(`${where}.groups must be a list of group numbers`);
    else out.groups = s.groups as number[];
  }
  if (s.any !== undefined) {
    if (typeof s.any !== 'boolean') problems.push(`${where}.any must be true or false`);
    else out.any = s.any;
  }
  return out;
}

const hex = (s: string | undefined) => (s ?? '').toLowerCase().replace(/^0x/, '');

export function selectorMatchesGroup(sel: DeviceSelector, g: SelectableGroup): boolean {
  if (sel.any) return true;
  if (sel.groups?.includes(g.id)) return true;
  // Leasing a group hands out every member, so each non-bridge member must be covered.
  const members = g.devices.filter((d) => !d.bridge);
  if (members.length === 0) return false;
  return members.every((d) => {
    if (sel.devices?.includes(d.name.toLowerCase())) return true;
    if (sel.vendorDevice?.some((vd) => {
      const [v, dv] = vd.split(':').map(hex);
      return (v === '*' || v === hex(d.vendor)) && (dv === '*' || dv === hex(d.device));
    })) return true;
    if (sel.classes?.some((c) => hex(d.class).startsWith(hex(c)))) return true;
    if (d.mdevType && sel.mdevTypes?.includes(d.mdevType.toLowerCase())) return true;
    return false;
  });
}
