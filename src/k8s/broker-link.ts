/**
 * The plugin's view of the broker's groups, kept current by the broker's Watch
 * stream: every event triggers a fresh ListGroups (events say what changed, the
 * list says what is), coalesced so a burst costs one call. While the broker is
 * unreachable the view is null and the stream is retried with a backoff.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ApiClient } from '../client/api-client.js';
import type { WireEvent, WireGroupOutput } from '../protocol/api-types.js';
import type { GroupFilter } from './group-prefilter.js';

export interface BrokerLinkLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export class BrokerLink {
  readonly api: ApiClient;
  #stream: ClientReadableStream<WireEvent> | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = 200;
  #stopped = false;

  /** `filters`: the ListGroups calls whose union is the view (null: one unfiltered call). */
  constructor(apiSocket: string, private readonly onGroups: (groups: WireGroupOutput[] | null) => void, private readonly log: BrokerLinkLog,
    private readonly filters: GroupFilter[] | null = null) {
    this.api = new ApiClient(apiSocket);
  }

  start(): void {
    if (this.#stopped) return;
    this.#stream = this.api.watch(() => this.refresh(), (err) => this.#lost(err?.message ?? 'stream ended'));
    // The stream gives no "subscribed" signal; the first list follows at once and
    // any event after it refreshes again.
    this.refresh();
  }

  /** Re-read the groups (coalesced: one call in flight, at most one queued). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          const groups = await this.#list();
          this.#backoffMs = 200;
          if (!this.#stopped) this.onGroups(groups);
        } catch (e) {
          this.log.warn(`broker ListGroups failed: ${(e as Error).message}`);
          if (!this.#stopped) this.onGroups(null);
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => { this.#refreshing = undefined; });
    return this.#refreshing;
  }

  async #list(): Promise<WireGroupOutput[]> {
    if (!this.filters) return this.api.listGroups();
    const byId = new Map<number, WireGroupOutput>();
    for (const f of this.filters) for (const g of await this.api.listGroups(f)) byId.set(g.id, g);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  #lost(why: string): void {
    if (this.#stopped) return;
    this.log.warn(`broker watch lost (${why}); retrying in ${this.#backoffMs} ms`);
    this.onGroups(null);
    this.#stream = undefined;
    this.#retry = setTimeout(() => this.start(), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, 10_000);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#stream?.cancel();
    this.api.close();
  }
}
