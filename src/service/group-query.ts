/**
 * ListGroups with server-side filters and paging. Groups are sorted by id, so a
 * page token is just "after group N": stable while groups come and go, and
 * answering a page costs what that page holds, not the whole inventory (plus a
 * binary search).
 */
import type { Host, HostGroup } from '../kernel/host.js';
import type { Lease, LeaseTable } from '../broker/lease-table.js';
import type { Mode } from '../broker/types.js';
import { InvalidArgumentError } from '../broker/errors.js';
import { modeFromWire } from '../protocol/mode.js';
import { modesOf } from './inventory-view.js';

/** The largest page a caller may ask for; 0 means "everything in one answer". */
export const MAX_PAGE_SIZE = 10_000;

export interface GroupQuery {
  vendor?: string;
  device?: string;
  classPrefix?: string;
  freeOnly: boolean;
  mode?: Mode;
  pageSize: number;
  /** Only groups with a larger id (from the page token). */
  after?: number;
}

export interface GroupPage {
  /** The page, each group with its owner (if leased). */
  groups: { group: HostGroup; owner?: Lease }[];
  /** Empty on the last page. */
  nextPageToken: string;
}

const HEX4 = /^(?:0x)?([0-9a-f]{0,4})$/i;
const CLASS = /^(?:0x)?([0-9a-f]{1,6})$/i;
const TOKEN_PREFIX = 'after:';

export function pageToken(afterId: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${afterId}`).toString('base64url');
}

/** The request's filters, checked: anything malformed is INVALID_ARGUMENT, never "no match". */
export function parseGroupQuery(raw: object | undefined): GroupQuery {
  const r = (raw ?? {}) as Record<string, unknown>;
  const q: GroupQuery = { freeOnly: r.free_only === true, pageSize: 0 };
  const vd = r.vendor_device ?? '';
  if (typeof vd !== 'string') throw new InvalidArgumentError('vendor_device must be a string');
  if (vd !== '') {
    const halves = vd.split(':');
    const v = halves.length === 2 ? HEX4.exec(halves[0]) : null;
    const d = halves.length === 2 ? HEX4.exec(halves[1]) : null;
    if (!v || !d || (v[1] === '' && d[1] === '')) throw new InvalidArgumentError(`vendor_device ${JSON.stringify(vd.slice(0, 40))} is not "vendor:device" in hex (e.g. 8086:1520, 8086:)`);
    if (v[1]) q.vendor = v[1].toLowerCase().padStart(4, '0');
    if (d[1]) q.device = d[1].toLowerCase().padStart(4, '0');
  }
  const cls = r.class ?? '';
  if (typeof cls !== 'string') throw new InvalidArgumentError('class must be a string');
  if (cls !== '') {
    const m = CLASS.exec(cls);
    if (!m) throw new InvalidArgumentError(`class ${JSON.stringify(cls.slice(0, 40))} is not a hex PCI class prefix (e.g. 0x02, 0x0200)`);
    q.classPrefix = m[1].toLowerCase();
  }
  // Unset (MODE_UNSPECIFIED, 0) means any mode here, unlike Acquire where it means legacy.
  if (r.mode !== undefined && r.mode !== null && r.mode !== 'MODE_UNSPECIFIED' && r.mode !== 0 && r.mode !== '') {
    const m = modeFromWire(r.mode);
    if (m === null) throw new InvalidArgumentError(`unknown mode ${JSON.stringify(r.mode)}`);
    q.mode = m;
  }
  const size = r.page_size ?? 0;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`page_size must be 0 (everything) to ${MAX_PAGE_SIZE}`);
  }
  q.pageSize = size;
  const tok = r.page_token ?? '';
  if (typeof tok !== 'string') throw new InvalidArgumentError('page_token must be a string');
  if (tok !== '') q.after = parseToken(tok);
  return q;
}

function parseToken(tok: string): number {
  const bad = () => new InvalidArgumentError('page_token is not one this daemon gave out (pass next_page_token unchanged)');
  if (tok.length > 64 || !/^[A-Za-z0-9_-]+$/.test(tok)) throw bad();
  const text = Buffer.from(tok, 'base64url').toString('utf8');
  const m = /^after:(\d{1,10})$/.exec(text);
  if (!m || Number(m[1]) > 0xffffffff) throw bad();
  return Number(m[1]);
}

const hex = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/^0x/, '');

export function matches(g: HostGroup, owner: Lease | undefined, q: GroupQuery): boolean {
  if (q.freeOnly && owner) return false;
  if (q.mode && !modesOf(g).includes(q.mode)) return false;
  if (q.vendor || q.device) {
    const hit = g.devices.some((d) => (!q.vendor || hex(d.vendor).padStart(4, '0') === q.vendor) && (!q.device || hex(d.device).padStart(4, '0') === q.device));
    if (!hit) return false;
  }
  if (q.classPrefix) {
    const p = q.classPrefix;
    if (!g.devices.some((d) => hex(d.class).startsWith(p))) return false;
  }
  return true;
}

/** First index in the id-sorted list whose id is greater than `after`. */
function firstAfter(list: HostGroup[], after: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].id <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page of the groups matching `raw` (a ListGroupsRequest). */
export function queryGroups(host: Host, leases: LeaseTable, raw: object | undefined): GroupPage {
  const q = parseGroupQuery(raw);
  const list = host.scan();
  const limit = q.pageSize || Infinity;
  const groups: GroupPage['groups'] = [];
  for (let i = q.after === undefined ? 0 : firstAfter(list, q.after); i < list.length; i++) {
    const g = list[i];
    const owner = leases.ownerOf(g.id);
    if (!matches(g, owner, q)) continue;
    // One more match past a full page: there is a next page, starting after the last one given.
    if (groups.length === limit) return { groups, nextPageToken: pageToken(groups[groups.length - 1].group.id) };
    groups.push({ group: g, owner });
  }
  return { groups, nextPageToken: '' };
}
