/**
 * Flags read from a persistent store item by item, each kept for `cacheTtl`, as LaunchDarkly's
 * server SDKs read a store: what the store holds is the truth, the cache stands in front of it,
 * and a data source (if any) writes through both. Long-lived hosts (`ldedge`, `ldedge/node`,
 * `ldedge/lambda`) use this whenever `featureStore` is set; edge hosts read the whole set at most
 * once per `cacheTtl` instead (see persistentStore.ts), which suits isolates that live briefly.
 *
 * Evaluation is synchronous and a store read is not. An item that is missing from the cache, or
 * older than `cacheTtl`, is evaluated as held (missing: not found) and read again in the
 * background for the next evaluation; `prefetch(flagKey)` reads what one flag needs first, and
 * `prefetch()` reads everything.
 */
import { MalformedFlagError } from '../evaluation/errors.js';
import { reportInvalidPatterns } from '../evaluation/operators.js';
import { prepareFlag, prepareSegment, type PreparedFlag, type PreparedSegment } from '../evaluation/prepare.js';
import type { LDLogger } from '../logging.js';
import type { AllData, FlagData, SegmentData } from '../wire.js';
import { hasOwn, isRecord } from '../util/json.js';
import { isLive, versionOf } from './dataSet.js';
import type { PersistentDataStore } from './persistentStore.js';
import type { Config } from '../validateOptions.js';
import type { DataKind, DataLoader } from './types.js';

type Item = FlagData | SegmentData;

interface Entry {
  /** The item as stored, tombstones included; undefined when the store has none. */
  readonly raw: Item | undefined;
  /** When it was read or written here (epoch ms). */
  readonly at: number;
  prepared?: PreparedFlag | PreparedSegment | MalformedFlagError;
}

export interface StoreViewOptions {
  /** How long an item read is trusted, in ms: 0 reads again on every use, Infinity never. */
  readonly ttlMs: number;
  readonly logger: LDLogger;
  /** Told of each failed store read or write, and (with undefined) of each successful read. */
  readonly onStatus?: (error: string | undefined) => void;
}

export class StoreView {
  readonly #store: PersistentDataStore;
  readonly #ttlMs: number;
  readonly #logger: LDLogger;
  readonly #onStatus: StoreViewOptions['onStatus'];
  readonly #entries = { flags: new Map<string, Entry>(), segments: new Map<string, Entry>() };
  /** When every item was last read or written together (`init`, `prefetch()`). */
  #allAt = -Infinity;
  readonly #reading = new Map<string, Promise<void>>();

  constructor(store: PersistentDataStore, options: StoreViewOptions) {
    this.#store = store;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
    this.#onStatus = options.onStatus;
  }

  flag(key: string): PreparedFlag | undefined {
    return this.#prepared('flags', key, prepareFlag) as PreparedFlag | undefined;
  }

  segment(key: string): PreparedSegment | undefined {
    return this.#prepared('segments', key, prepareSegment) as PreparedSegment | undefined;
  }

  /** The item held, tombstones included; a stale or missing one is read again for next time. */
  item(kind: DataKind, key: string): Item | undefined {
    return this.#use(kind, key)?.raw;
  }

  /** Keys of the flags held and present; the whole set is read again when older than the TTL. */
  flagKeys(): string[] {
    if (!this.#fresh(this.#allAt)) void this.#readAll();
    const keys: string[] = [];
    for (const [key, entry] of this.#entries.flags) if (isLive(entry.raw)) keys.push(key);
    return keys;
  }

  /** Daemon mode's loader: reads every item (`loadAll`), and so never returns a data set. */
  readonly loader: DataLoader = { name: 'store', load: () => this.loadAll().then(() => undefined) };

  /**
   * A data source's full set: written to the store (which then holds only this) and cached.
   * The store write is not awaited; a failure is logged. Returns this view.
   */
  init(data: AllData): this {
    const now = Date.now();
    const serialised = { flags: {} as Record<string, string>, segments: {} as Record<string, string> };
    for (const kind of ['flags', 'segments'] as const) {
      const entries = this.#entries[kind];
      entries.clear();
      for (const [key, item] of Object.entries(data[kind] as Record<string, Item>)) {
        entries.set(key, { raw: item, at: now });
        serialised[kind][key] = JSON.stringify(item);
      }
    }
    this.#allAt = now;
    this.#write('flags', this.#store.init?.(serialised));
    return this;
  }

  /**
   * A data source's update: applied when newer than the item held, and written to the store,
   * which keeps the newer of what it has and this. Returns whether it was applied here.
   */
  upsert(kind: DataKind, key: string, item: Item): boolean {
    const held = this.#entries[kind].get(key);
    // Compared as a data set compares them, so both kinds of held data take the same updates.
    if (held?.raw !== undefined && versionOf(item, 0) <= versionOf(held.raw, -1)) return false;
    this.#entries[kind].set(key, { raw: item, at: Date.now() });
    this.#write(`${kind} "${key}"`, this.#store.upsert?.(kind, key, versionOf(item, 0), JSON.stringify(item)));
    return true;
  }

  /**
   * Reads from the store what evaluating `flagKey` can need and is not fresh: the flag, its
   * prerequisites and the segments they refer to, recursively. Without a key, reads everything.
   * Resolves when done; a failed read keeps what was held (and is reported, never thrown).
   */
  async prefetch(flagKey?: string): Promise<void> {
    if (flagKey === undefined) {
      if (!this.#fresh(this.#allAt)) await this.#readAll();
      return;
    }
    const seen = new Set<string>();
    let wanted: Array<[DataKind, string]> = [['flags', flagKey]];
    while (wanted.length > 0) {
      await Promise.all(
        wanted.map(([kind, key]) => (this.#fresh(this.#entries[kind].get(key)?.at) ? undefined : this.#read(kind, key))),
      );
      const next: Array<[DataKind, string]> = [];
      const want = (kind: DataKind, key: string) => {
        if (!seen.has(`${kind}:${key}`)) {
          seen.add(`${kind}:${key}`);
          next.push([kind, key]);
        }
      };
      for (const [kind, key] of wanted) {
        seen.add(`${kind}:${key}`);
        let prepared;
        try {
          prepared = kind === 'flags' ? this.flag(key) : this.segment(key);
        } catch {
          continue; // malformed: it refers to nothing usable
        }
        if (prepared === undefined) continue;
        if ('prerequisites' in prepared) for (const p of prepared.prerequisites) want('flags', p.key);
        for (const rule of prepared.rules) {
          for (const clause of rule.clauses) for (const s of clause.segmentKeys ?? []) want('segments', s);
        }
      }
      wanted = next;
    }
  }

  #fresh(at: number | undefined): boolean {
    return at !== undefined && Date.now() - at < this.#ttlMs;
  }

  /** The entry held, reading it again in the background when it is missing or stale. */
  #use(kind: DataKind, key: string): Entry | undefined {
    const entry = this.#entries[kind].get(key);
    if (!this.#fresh(entry?.at)) void this.#read(kind, key);
    return entry;
  }

  #prepared<P>(kind: DataKind, key: string, prepare: (raw: never) => P): P | undefined {
    const entry = this.#use(kind, key);
    if (entry === undefined || !isLive(entry.raw)) return undefined;
    if (entry.prepared === undefined) {
      try {
        entry.prepared = prepare(entry.raw as never) as PreparedFlag | PreparedSegment;
      } catch (err) {
        entry.prepared = err instanceof MalformedFlagError ? err : new MalformedFlagError(String(err));
      }
      reportInvalidPatterns(kind, key, this.#logger);
    }
    if (entry.prepared instanceof MalformedFlagError) throw entry.prepared;
    return entry.prepared as P;
  }

  /** Reads one item; concurrent reads of the same item share one store call. */
  #read(kind: DataKind, key: string): Promise<void> {
    const id = `${kind}:${key}`;
    let reading = this.#reading.get(id);
    if (reading === undefined) {
      // Items held and younger than cacheTtl are served without a read (and without a line).
      this.#logger.debug(`persistent store: reading ${kind} "${key}" (not held, or older than cacheTtl)`);
      reading = this.#store
        .get(kind, key)
        .then(
          (json) => {
            this.#entries[kind].set(key, { raw: this.#parse(kind, key, json), at: Date.now() });
            this.#onStatus?.(undefined);
          },
          (err: Error) => this.#failed(`could not read ${kind} "${key}" from the persistent store: ${err.message}`),
        )
        .finally(() => this.#reading.delete(id));
      this.#reading.set(id, reading);
    }
    return reading;
  }

  /** Reads every item, replacing what is held; rejects when the store cannot be read. */
  loadAll(): Promise<void> {
    let reading = this.#reading.get('*');
    if (reading === undefined) {
      reading = Promise.all([this.#store.getAll('flags'), this.#store.getAll('segments')])
        .then(([flags, segments]) => {
          const now = Date.now();
          for (const [kind, all] of [['flags', flags], ['segments', segments]] as const) {
            const entries = this.#entries[kind];
            // Items gone from the store are gone here too.
            for (const key of entries.keys()) if (!hasOwn(all, key)) entries.set(key, { raw: undefined, at: now });
            for (const key in all) entries.set(key, { raw: this.#parse(kind, key, all[key]), at: now });
          }
          this.#allAt = now;
          this.#logger.debug(
            `persistent store: read ${Object.keys(flags).length} flags and ${Object.keys(segments).length} segments`,
          );
        })
        .finally(() => this.#reading.delete('*'));
      this.#reading.set('*', reading);
    }
    return reading;
  }

  /** `loadAll` in the background: a failure is logged and reported, and what was held stays. */
  #readAll(): Promise<void> {
    return this.loadAll().then(
      () => this.#onStatus?.(undefined),
      (err: Error) => this.#failed(`could not read the persistent store: ${err.message}`),
    );
  }

  /** An item from its stored JSON; text that is not an item is logged and counts as missing. */
  #parse(kind: DataKind, key: string, json: string | undefined): Item | undefined {
    if (json === undefined) return undefined;
    try {
      const item: unknown = JSON.parse(json);
      if (isRecord(item)) return item as unknown as Item;
    } catch {
      // reported below
    }
    this.#logger.error(`persistent store's ${kind} "${key}" is not a JSON object; it is treated as missing`);
    return undefined;
  }

  #write(what: string, writing: Promise<void> | undefined): void {
    writing?.catch((err: Error) => this.#failed(`could not write ${what} to the persistent store: ${err.message}`));
  }

  #failed(message: string): void {
    this.#logger.error(message);
    this.#onStatus?.(message);
  }
}

/** The `storeView` of long-lived hosts' extras: a view with the client's `cacheTtl` and logger. */
export function storeViewFor(
  store: PersistentDataStore,
  config: Config,
  onStatus: (error: string | undefined) => void,
): StoreView {
  return new StoreView(store, { ttlMs: config.cacheTtlMs, logger: config.logger, onStatus });
}
