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
import * as wire from './wire.js';

export type WatchCall = grpc.ServerWritableStream<{ include_current?: boolean }, Event>;

export class WatchStreams {
  #streams = new Map<WatchCall, number>();

  constructor(private service: BrokerService, private limits: Pick<Limits, 'watchesPerUid' | 'watchQueue'>, private toStatus: (e: unknown) => Partial<grpc.StatusObject>) {}

  get size(): number {
    return this.#streams.size;
  }

  open(call: WatchCall, caller: Caller): void {
    const mine = [...this.#streams.values()].filter((uid) => uid === caller.uid).length;
    if (caller.uid !== 0 && mine >= this.limits.watchesPerUid) {
      call.emit('error', this.toStatus(new QuotaError(`uid ${caller.uid} already has ${mine} Watch streams (limit watchesPerUid)`, { limit: 'watchesPerUid' })));
      return;
    }
    const sees = this.service.seesOwner(caller);
    const send = (ev: BrokerEvent) => {
      if (call.writableLength >= this.limits.watchQueue) {
        stop();
        call.emit('error', this.toStatus(new QuotaError(`this Watch stream fell ${call.writableLength} events behind (limit watchQueue); reconnect with include_current`, { limit: 'watchQueue' })));
        return;
      }
      call.write(wire.event(ev, !ev.owner || sees(ev.owner as Lease)));
    };
    this.#streams.set(call, caller.uid);
    if (call.request.include_current) {
      for (const l of this.service.leases.all()) send({ time: new Date().toISOString(), kind: 'lease-current', leaseId: l.id, owner: l, group: l.groups[0] });
    }
    this.service.on('event', send);
    const stop = () => {
      this.service.off('event', send);
      this.#streams.delete(call);
    };
    call.on('cancelled', stop);
    call.on('close', stop);
    call.on('error', stop);
  }

  closeAll(): void {
    for (const c of this.#streams.keys()) c.end();
  }
}
