/**
 * Watch streams: every broker event to every watcher, each bounded. A uid may
 * hold only so many streams, and a stream whose reader falls too far behind is
 * ended with RESOURCE_EXHAUSTED rather than buffered without end.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Caller } from '../broker/types.js';
import { QuotaError } from '../broker/errors.js';
import type { Lease } from '../broker/lease-table.js';
import type { Limits } from '../broker/limits.js';
import type { BrokerEvent, BrokerService } from '../service/broker-service.js';
import type { Event } from '../protocol/gen/vfiobroker/v1/Event.js';
import { EventEncoder } from './encoded.js';

export type WatchCall = grpc.ServerWritableStream<{ include_current?: boolean }, Event>;

interface Watcher { uid: number; send: (ev: BrokerEvent) => void }

export class WatchStreams {
  #streams = new Map<WatchCall, Watcher>();
  /** Each event encoded once (per view) for every watcher, not once per watcher. */
  readonly encoder = new EventEncoder();
  #listening = false;

  constructor(private service: BrokerService, private limits: Pick<Limits, 'watchesPerUid' | 'watchQueue'>, private toStatus: (e: unknown) => Partial<grpc.StatusObject>) {}

  get size(): number {
    return this.#streams.size;
  }

  /** One listener on the service for all streams (not one each: no MaxListeners warning at scale). */
  #fanOut = (ev: BrokerEvent) => {
    for (const w of [...this.#streams.values()]) w.send(ev);
  };

  open(call: WatchCall, caller: Caller): void {
    let mine = 0;
    for (const w of this.#streams.values()) if (w.uid === caller.uid) mine++;
    if (caller.uid !== 0 && mine >= this.limits.watchesPerUid) {
      call.emit('error', this.toStatus(new QuotaError(`uid ${caller.uid} already has ${mine} Watch streams (limit watchesPerUid)`, { limit: 'watchesPerUid' })));
      return;
    }
    const sees = this.service.seesOwner(caller);
    const stop = () => {
      this.#streams.delete(call);
      if (this.#streams.size === 0 && this.#listening) {
        this.service.off('event', this.#fanOut);
        this.#listening = false;
      }
    };
    const send = (ev: BrokerEvent) => {
      if (call.writableLength >= this.limits.watchQueue) {
        stop();
        call.emit('error', this.toStatus(new QuotaError(`this Watch stream fell ${call.writableLength} events behind (limit watchQueue); reconnect with include_current`, { limit: 'watchQueue' })));
        return;
      }
      // Already in wire form: the server's Watch serializer passes Encoded through (passEncoded).
      call.write(this.encoder.encode(ev, !ev.owner || sees(ev.owner as Lease)) as unknown as Event);
    };
    this.#streams.set(call, { uid: caller.uid, send });
    if (call.request.include_current) {
      for (const l of this.service.leases.all()) send({ time: new Date().toISOString(), kind: 'lease-current', leaseId: l.id, owner: l, group: l.groups[0] });
    }
    if (!this.#listening) {
      this.service.on('event', this.#fanOut);
      this.#listening = true;
    }
    call.on('cancelled', stop);
    call.on('close', stop);
    call.on('error', stop);
  }

  closeAll(): void {
    for (const c of this.#streams.keys()) c.end();
  }
}
