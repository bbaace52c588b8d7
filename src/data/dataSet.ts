/**
 * One loaded set of flags and segments. The parsed payload is kept as it is; each item is prepared
 * for evaluation the first time it is used, and the prepared form is reused until the item changes.
 */
import { MalformedFlagError } from '../evaluation/errors.js';
import type { EvaluationData } from '../evaluation/evaluator.js';
import {
  prepareFlag,
  prepareSegment,
  type PreparedFlag,
  type PreparedSegment,
} from '../evaluation/prepare.js';
import { reportInvalidPatterns } from '../evaluation/operators.js';
import type { LDLogger } from '../logging.js';
import type { AllData, FlagData, SegmentData } from '../wire.js';
import { hasOwn, isRecord } from '../util/json.js';
import type { DataKind } from './types.js';

/** An item's version when it is an object with a numeric one, else `fallback`. */
export function versionOf(item: unknown, fallback: number): number {
  return isRecord(item) && typeof item.version === 'number' ? item.version : fallback;
}

/** Present: an object that is not a deletion's tombstone. */
export function isLive(item: unknown): boolean {
  return isRecord(item) && item.deleted !== true;
}

/** The flags a client evaluates over: a loaded data set, or a persistent store's items (StoreView). */
export interface HeldData extends EvaluationData {
  /** The raw item held under `key`, tombstones included. */
  item(kind: DataKind, key: string): FlagData | SegmentData | undefined;
  /** Keys of flags that are present and not deleted. */
  /** The keys of the flags that are not deleted; not to be changed by the caller. */
  flagKeys(): readonly string[];
  /** Applies an update newer than the item held; returns whether it was applied. */
  upsert(kind: DataKind, key: string, item: FlagData | SegmentData): boolean;
}

export class DataSet implements HeldData {
  #items: AllData;
  /** False while the item maps may be the caller's own objects: copied before the first write. */
  #owned = false;
  /** `flagKeys()`, made once per set of items: allFlagsState asks on every call. */
  #flagKeys: string[] | undefined;
  /** Prepared items, or the error that preparing one gave, by kind and key. */
  readonly #prepared = {
    flags: new Map<string, PreparedFlag | MalformedFlagError>(),
    segments: new Map<string, PreparedSegment | MalformedFlagError>(),
  };

  /** Told about what preparing an item finds wrong but can live with (an invalid regex). */
  readonly #logger: LDLogger | undefined;

  private constructor(flags: Record<string, FlagData>, segments: Record<string, SegmentData>, logger?: LDLogger) {
    this.#items = { flags, segments };
    this.#logger = logger;
  }

  static empty(): DataSet {
    return new DataSet({}, {});
  }

  /** A data set over a `/sdk/latest-all` body, held as it is (copied only before a change). */
  static from(data: AllData, logger?: LDLogger): DataSet {
    return new DataSet(data.flags, data.segments, logger);
  }

  flag(key: string): PreparedFlag | undefined {
    return this.#prepare(this.#prepared.flags, 'flags', key, prepareFlag);
  }

  segment(key: string): PreparedSegment | undefined {
    return this.#prepare(this.#prepared.segments, 'segments', key, prepareSegment);
  }

  #prepare<T, P>(
    cache: Map<string, P | MalformedFlagError>,
    kind: DataKind,
    key: string,
    prepare: (raw: T) => P,
  ): P | undefined {
    let prepared = cache.get(key);
    if (prepared === undefined) {
      const raw = this.item(kind, key);
      if (!isLive(raw)) return undefined;
      try {
        prepared = prepare(raw as T);
      } catch (err) {
        prepared = err instanceof MalformedFlagError ? err : new MalformedFlagError(String(err));
      }
      reportInvalidPatterns(kind, key, this.#logger);
      cache.set(key, prepared);
    }
    if (prepared instanceof MalformedFlagError) throw prepared;
    return prepared;
  }

  /**
   * Applies one item from a stream or patch when its version is newer than the one held.
   * Deleted items stay as tombstones so an older update cannot bring them back.
   * Returns whether the item was applied.
   */
  upsert(kind: DataKind, key: string, item: FlagData | SegmentData): boolean {
    if (!this.#owned) {
      // Copies without a prototype, so that a key such as `__proto__` is stored as the item it names.
      const own = <T>(items: Record<string, T>): Record<string, T> => Object.setPrototypeOf({ ...items }, null);
      this.#items = { flags: own(this.#items.flags), segments: own(this.#items.segments) };
      this.#owned = true;
    }
    const held = this.item(kind, key);
    if (held !== undefined && versionOf(item, 0) <= versionOf(held, -1)) return false;
    (this.#items[kind] as Record<string, FlagData | SegmentData>)[key] = item;
    this.#flagKeys = undefined;
    this.#prepared[kind].delete(key);
    return true;
  }

  /** The raw item held under `key`, tombstones included. */
  item(kind: DataKind, key: string): FlagData | SegmentData | undefined {
    const items = this.#items[kind];
    return hasOwn(items, key) ? items[key] : undefined;
  }

  /** Keys of flags that are present and not deleted. */
  flagKeys(): readonly string[] {
    const flags = this.#items.flags;
    return (this.#flagKeys ??= Object.keys(flags).filter((k) => isLive(flags[k])));
  }
}
