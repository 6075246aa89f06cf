/**
 * Answers encoded ahead of grpc-js. At 4096 groups, protobuf-encoding a whole
 * ListGroups answer took most of a call's time, and a Watch event was encoded
 * again for each watcher. Here a group is encoded once per inventory version (its
 * HostGroup object, replaced by the inventory whenever the group changes) and its
 * bytes reused; only the parts that change with leases (the owner) are encoded
 * per answer. An event is encoded once for all watchers.
 *
 * Protobuf allows a message's fields in any order and concatenated encodings
 * merge, so "cached group fields + owner field" is a valid Group.
 */
import { loadApi } from '../protocol/proto.js';
import type { HostGroup } from '../kernel/host.js';
import type { Lease } from '../broker/lease-table.js';
import type { BrokerEvent } from '../service/broker-service.js';
import { modesOf } from '../service/inventory-view.js';
import type { Group } from '../protocol/gen/vfiobroker/v1/Group.js';
import * as wire from './wire.js';

/** Bytes already in wire form: the method's serializer passes them through. */
export class Encoded {
  constructor(readonly bytes: Buffer) {}
}

/** A method definition whose serializer lets Encoded answers through untouched. */
export function passEncoded<M extends { responseSerialize(v: never): Buffer }>(m: M): M {
  // Any value the method's own serializer took, it still gets.
  const inner = m.responseSerialize as (v: unknown) => Buffer;
  return { ...m, responseSerialize: (v: unknown) => (v instanceof Encoded ? v.bytes : inner(v)) };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** Field `field` (wire type 2, length-delimited) holding `body`. */
function lengthDelimited(field: number, body: Buffer): Buffer[] {
  return [varint((field << 3) | 2), varint(body.length), body];
}

const serializeGroup = (g: Group) => loadApi().service.GetGroup.responseSerialize(g);

export class GroupEncoder {
  /** Each group's fields but the owner, encoded; dropped with the HostGroup it was made from. */
  #base = new WeakMap<HostGroup, { fields: Buffer; framed: Buffer }>();
  stats = { encoded: 0, reused: 0, answersReused: 0 };

  private base(g: HostGroup): { fields: Buffer; framed: Buffer } {
    let b = this.#base.get(g);
    if (b) {
      this.stats.reused++;
      return b;
    }
    const fields = serializeGroup(wire.group({ group: g, modes: modesOf(g) }));
    b = { fields, framed: Buffer.concat(lengthDelimited(1, fields)) };
    this.#base.set(g, b);
    this.stats.encoded++;
    return b;
  }

  /**
   * A ListGroupsResponse: field 1 once per group, then next_page_token. The
   * last few answers are kept and given again when nothing in them changed:
   * the same group objects (the inventory replaces a group it re-reads) with
   * the same owners as this caller sees them.
   */
  list(groups: { group: HostGroup; owner?: Lease; claimId?: string }[], sees: (l: Lease) => boolean, nextPageToken = ''): Encoded {
    let sig = nextPageToken;
    for (const { group, owner, claimId } of groups) {
      if (owner) sig += `|${group.id}:${owner.id}:${owner.sessionId ?? ''}:${owner.owner.pid}:${sees(owner) ? 1 : 0}`;
      if (claimId) sig += `|${group.id}:claim:${claimId}`;
    }
    const hit = this.#answers.find((a) => a.sig === sig && a.groups.length === groups.length && a.groups.every((g, i) => g === groups[i].group));
    if (hit) {
      this.stats.answersReused++;
      return new Encoded(hit.bytes);
    }
    const bytes = this.encodeList(groups, sees, nextPageToken);
    this.#answers.unshift({ sig, groups: groups.map((g) => g.group), bytes });
    this.#answers.length = Math.min(this.#answers.length, GroupEncoder.ANSWERS);
    return new Encoded(bytes);
  }

  /** Answers kept: an admin's and a user's view of the full list, and a few pages or filters. */
  static ANSWERS = 4;
  #answers: { sig: string; groups: HostGroup[]; bytes: Buffer }[] = [];

  private encodeList(groups: { group: HostGroup; owner?: Lease; claimId?: string }[], sees: (l: Lease) => boolean, nextPageToken: string): Buffer {
    const parts: Buffer[] = [];
    for (const { group, owner, claimId } of groups) {
      const b = this.base(group);
      if (!owner && !claimId) {
        parts.push(b.framed);
        continue;
      }
      // Only the owner and claim fields, as the Group serializer writes them (unset fields are omitted).
      const own = serializeGroup({ owner: owner ? wire.owner(owner, sees(owner)) : undefined, claim_id: claimId });
      parts.push(varint((1 << 3) | 2), varint(b.fields.length + own.length), b.fields, own);
    }
    if (nextPageToken) parts.push(...lengthDelimited(2, Buffer.from(nextPageToken)));
    return Buffer.concat(parts);
  }
}

/** One event's encodings, made on first use: with the owner in full, and as others see it. */
export class EventEncoder {
  #cache = new WeakMap<BrokerEvent, { full?: Buffer; reduced?: Buffer }>();
  stats = { encoded: 0 };

  encode(ev: BrokerEvent, full: boolean): Encoded {
    let c = this.#cache.get(ev);
    if (!c) this.#cache.set(ev, (c = {}));
    // Without an owner both views are the same message.
    const key = full || !ev.owner ? 'full' : 'reduced';
    let bytes = c[key];
    if (!bytes) {
      bytes = loadApi().service.Watch.responseSerialize(wire.event(ev, key === 'full'));
      c[key] = bytes;
      this.stats.encoded++;
    }
    return new Encoded(bytes);
  }
}
