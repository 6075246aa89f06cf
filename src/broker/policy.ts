/**
 * Policy: who may lease which devices, in which modes, how many at once, and with
 * what locked-memory allowance. Parsed from JSON; names (users, groups) are
 * resolved to ids at load time by a resolver the daemon supplies, so evaluation is
 * pure and cheap. The default is deny for everyone except root and the admin group.
 */
import type { Caller, GroupFacts, Mode } from './types.js';
import { isVfioBound } from './input.js';
// The selector language is shared with the Kubernetes device plugin, so it lives in src/protocol.
import { parseSelector as selector, selectorMatchesGroup, type DeviceSelector } from '../protocol/device-selector.js';

export { selectorMatchesGroup, type DeviceSelector };

export interface Rule {
  name: string;
  uids: number[];
  gids: number[];
  devices: DeviceSelector;
  modes: Mode[];
  /** Most leases one uid may hold at once under this rule (0: no limit). */
  maxLeases: number;
  /** RLIMIT_MEMLOCK applied to the owner for legacy MAP_DMA / QEMU (0: leave alone). */
  memlockBytes: number;
  /** noiommu groups give no isolation at all; they need this explicitly. */
  allowNoiommu: boolean;
  allowShare: boolean;
  /** Acquire{managed} makes root unbind host drivers: only where a rule says so. */
  allowManaged: boolean;
}

export interface Policy {
  adminGids: number[];
  rules: Rule[];
  /** Let root and admins lease noiommu groups. */
  adminNoiommu: boolean;
  /** Longest lifetime a share grant may ask for. */
  maxGrantSeconds: number;
  /**
   * Slot isolation ("B:D" granularity, src/broker/slots.ts): a lease takes every
   * group in or behind the same PCI slot as its devices. A host-wide property of
   * the hardware, so one setting for every rule.
   */
  slotIsolation?: boolean;
}

export const DEFAULT_MAX_GRANT_SECONDS = 3600;

export interface NameResolver {
  user(name: string): number | undefined;
  group(name: string): number | undefined;
}

export class PolicyError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid policy:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyError';
    this.problems = problems;
  }
}

export const DENY_ALL: Policy = { adminGids: [], rules: [], adminNoiommu: false, maxGrantSeconds: DEFAULT_MAX_GRANT_SECONDS };

const MODES: Mode[] = ['legacy', 'iommufd'];
const RULE_KEYS = new Set([
  'name', 'users', 'uids', 'groups', 'gids', 'devices', 'modes', 'maxLeases', 'memlock', 'memlockBytes',
  'allowNoiommu', 'allowShare', 'allowManaged', 'comment',
]);
const TOP_KEYS = new Set(['adminGroups', 'rules', 'adminNoiommu', 'maxGrantSeconds', 'slotIsolation', 'comment']);

/** "1g", "512m", "65792k", or a plain byte count. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)\s*([kmgt]?)(i?b)?$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k'];
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Validate and resolve a policy document; every mistake is reported, not just the first. */
export function parsePolicy(doc: unknown, names: NameResolver): Policy {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PolicyError(['the policy must be a JSON object']);
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!TOP_KEYS.has(k)) problems.push(`unknown top-level key "${k}" (known: ${[...TOP_KEYS].join(', ')})`);

  const adminGids = idList(top.adminGroups, 'adminGroups', (n) => names.group(n), 'group', problems);
  const rules: Rule[] = [];
  if (top.rules !== undefined && !Array.isArray(top.rules)) problems.push('"rules" must be an array');
  const seen = new Set<string>();
  (Array.isArray(top.rules) ? top.rules : []).forEach((r, i) => {
    const where = `rules[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      problems.push(`${where} must be an object`);
      return;
    }
    const raw = r as Record<string, unknown>;
    for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) problems.push(`${where}: unknown key "${k}"`);
    const name = typeof raw.name === 'string' && raw.name ? raw.name : `rule-${i}`;
    if (seen.has(name)) problems.push(`${where}: duplicate rule name "${name}"`);
    seen.add(name);
    const uids = [
      ...idList(raw.uids, `${where}.uids`, () => undefined, 'uid', problems),
      ...idList(raw.users, `${where}.users`, (n) => names.user(n), 'user', problems),
    ];
    const gids = [
      ...idList(raw.gids, `${where}.gids`, () => undefined, 'gid', problems),
      ...idList(raw.groups, `${where}.groups`, (n) => names.group(n), 'group', problems),
    ];
    if (uids.length === 0 && gids.length === 0) problems.push(`${where} ("${name}") matches no caller: give users, uids, groups or gids`);
    const devices = selector(raw.devices, `${where}.devices`, problems);
    let modes: Mode[] = ['legacy', 'iommufd'];
    if (raw.modes !== undefined) {
      if (!Array.isArray(raw.modes) || raw.modes.some((m) => !MODES.includes(m as Mode))) {
        problems.push(`${where}.modes must be a list of ${MODES.map((m) => `"${m}"`).join(' / ')}`);
      } else modes = raw.modes as Mode[];
    }
    const maxLeases = raw.maxLeases ?? 0;
    if (typeof maxLeases !== 'number' || !Number.isInteger(maxLeases) || maxLeases < 0) problems.push(`${where}.maxLeases must be a whole number ≥ 0`);
    const memRaw = raw.memlock ?? raw.memlockBytes ?? 0;
    const memlockBytes = parseSize(memRaw);
    if (memlockBytes === undefined) problems.push(`${where}.memlock must be a byte count or a size like "1g" / "65792k"`);
    for (const flag of ['allowNoiommu', 'allowShare', 'allowManaged'] as const) {
      if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') problems.push(`${where}.${flag} must be true or false`);
    }
    rules.push({
      name, uids, gids, devices, modes,
      maxLeases: typeof maxLeases === 'number' ? maxLeases : 0,
      memlockBytes: memlockBytes ?? 0,
      allowNoiommu: raw.allowNoiommu === true,
      allowShare: raw.allowShare !== false,
      allowManaged: raw.allowManaged === true,
    });
  });
  if (top.adminNoiommu !== undefined && typeof top.adminNoiommu !== 'boolean') problems.push('adminNoiommu must be true or false');
  if (top.slotIsolation !== undefined && typeof top.slotIsolation !== 'boolean') problems.push('slotIsolation must be true or false');
  const maxGrant = top.maxGrantSeconds ?? DEFAULT_MAX_GRANT_SECONDS;
  if (!Number.isInteger(maxGrant) || (maxGrant as number) < 1) problems.push('maxGrantSeconds must be a whole number ≥ 1');
  if (problems.length) throw new PolicyError(problems);
  return { adminGids, rules, adminNoiommu: top.adminNoiommu === true, maxGrantSeconds: maxGrant as number, slotIsolation: top.slotIsolation === true };
}

function idList(v: unknown, where: string, byName: (n: string) => number | undefined, what: string, problems: string[]): number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    problems.push(`${where} must be a list`);
    return [];
  }
  const out: number[] = [];
  for (const item of v) {
    if (typeof item === 'number' && Number.isInteger(item) && item >= 0 && item < 2 ** 32) out.push(item);
    else if (typeof item === 'string' && item !== '') {
      const id = byName(item);
      if (id === undefined) problems.push(`${where}: unknown ${what} "${item}"`);
      else out.push(id);
    } else problems.push(`${where}: ${JSON.stringify(item)} is not a valid ${what}`);
  }
  return out;
}

export function isAdmin(policy: Policy, c: Caller): boolean {
  return c.uid === 0 || policy.adminGids.some((g) => g === c.gid || c.groups.includes(g));
}

export function callerMatches(rule: Rule, c: Caller): boolean {
  return rule.uids.includes(c.uid) || rule.gids.some((g) => g === c.gid || c.groups.includes(g));
}

export type Decision =
  | { allowed: true; rule: string; memlockBytes: number; maxLeases: number; allowShare: boolean }
  /** `quota`: a rule would allow it but the caller's lease limit is reached (RESOURCE_EXHAUSTED). */
  | { allowed: false; reason: string; quota: boolean };

/** Decide an acquire. `leasesHeld` is the caller uid's current lease count. */
export function decideAcquire(policy: Policy, c: Caller, groups: GroupFacts[], mode: Mode, leasesHeld: number, managed = false): Decision {
  const noiommu = groups.filter((g) => g.noiommu).map((g) => g.id);
  if (isAdmin(policy, c)) {
    if (noiommu.length && !policy.adminNoiommu) {
      return { allowed: false, quota: false, reason: `group ${noiommu.join(', ')} is noiommu (no DMA isolation); set "adminNoiommu": true in the policy to allow it` };
    }
    // Admins get the largest memlock allowance any rule grants them; otherwise none.
    const mem = Math.max(0, ...policy.rules.filter((r) => callerMatches(r, c)).map((r) => r.memlockBytes));
    return { allowed: true, rule: c.uid === 0 ? 'builtin:root' : 'builtin:admin-group', memlockBytes: mem, maxLeases: 0, allowShare: true };
  }
  const mine = policy.rules.filter((r) => callerMatches(r, c));
  if (mine.length === 0) return { allowed: false, quota: false, reason: `no policy rule matches uid ${c.uid} / gid ${c.gid}` };
  const reasons: string[] = [];
  let quota = false;
  for (const r of mine) {
    const uncovered = groups.filter((g) => !selectorMatchesGroup(r.devices, g)).map((g) => g.id);
    if (uncovered.length) { reasons.push(`rule "${r.name}" does not cover group ${uncovered.join(', ')}`); continue; }
    if (!r.modes.includes(mode)) { reasons.push(`rule "${r.name}" does not allow mode ${mode}`); continue; }
    if (noiommu.length && !r.allowNoiommu) { reasons.push(`rule "${r.name}" does not allow unsafe noiommu group ${noiommu.join(', ')}`); continue; }
    if (managed && !r.allowManaged) { reasons.push(`rule "${r.name}" does not allow managed leases, which unbind host drivers (allowManaged: true)`); continue; }
    if (r.maxLeases > 0 && leasesHeld >= r.maxLeases) { quota = true; reasons.push(`rule "${r.name}" allows ${r.maxLeases} lease(s) per uid and uid ${c.uid} holds ${leasesHeld}`); continue; }
    return { allowed: true, rule: r.name, memlockBytes: r.memlockBytes, maxLeases: r.maxLeases, allowShare: r.allowShare };
  }
  return { allowed: false, quota, reason: reasons.join('; ') };
}

/** Which devices of a group get device fds: vfio-bound non-bridge members (an mdev bound to its vendor driver counts), optionally only those requested. */
export function deliverableDevices(g: GroupFacts, only?: Set<string>): string[] {
  return g.devices.filter((d) => !d.bridge && isVfioBound(d) && (!only || only.has(d.name))).map((d) => d.name);
}
