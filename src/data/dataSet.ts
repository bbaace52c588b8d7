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
import type { AllData, FlagData, SegmentData } from '../wire.js';
import { parseAllData } from './parse.js';
import type { DataKind } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

type Items<T> = Record<string, T>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLive(item: unknown): boolean {
  return isRecord(item) && item.deleted !== true;
}

function prepareOrMark<T, P>(raw: T, prepare: (raw: T) => P): P | MalformedFlagError {
  try {
    return prepare(raw);
  } catch (err) {
    return err instanceof MalformedFlagError ? err : new MalformedFlagError(String(err));
  }
}

export class DataSet implements EvaluationData {
  private readonly preparedFlags = new Map<string, PreparedFlag | MalformedFlagError>();
  private readonly preparedSegments = new Map<string, PreparedSegment | MalformedFlagError>();

  /** False while the item maps may be the caller's own objects: copied before the first write. */
  private owned = false;

  private constructor(
    private flagItems: Items<FlagData>,
    private segmentItems: Items<SegmentData>,
  ) {}

  static empty(): DataSet {
    return new DataSet({}, {});
  }

  /** A data set over a `/sdk/latest-all` body, held as it is (copied only before a change). */
  static from(data: AllData): DataSet {
    return new DataSet(data.flags, data.segments);
  }

  /** A data set over a body given as JSON text or an object; throws an Error saying what is wrong. */
  static fromPayload(payload: unknown, what = 'flag data'): DataSet {
    return DataSet.from(parseAllData(payload, what));
  }

  flag(key: string): PreparedFlag | undefined {
    let prepared = this.preparedFlags.get(key);
    if (prepared === undefined) {
      const raw = hasOwn.call(this.flagItems, key) ? this.flagItems[key] : undefined;
      if (!isLive(raw)) return undefined;
      prepared = prepareOrMark(raw as FlagData, prepareFlag);
      this.preparedFlags.set(key, prepared);
    }
    if (prepared instanceof MalformedFlagError) throw prepared;
    return prepared;
  }

  segment(key: string): PreparedSegment | undefined {
    let prepared = this.preparedSegments.get(key);
    if (prepared === undefined) {
      const raw = hasOwn.call(this.segmentItems, key) ? this.segmentItems[key] : undefined;
      if (!isLive(raw)) return undefined;
      prepared = prepareOrMark(raw as SegmentData, prepareSegment);
      this.preparedSegments.set(key, prepared);
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
    if (!this.owned) {
      this.flagItems = { ...this.flagItems };
      this.segmentItems = { ...this.segmentItems };
      this.owned = true;
    }
    const items: Items<FlagData | SegmentData> = kind === 'flags' ? this.flagItems : this.segmentItems;
    const held = hasOwn.call(items, key) ? items[key] : undefined;
    const heldVersion = isRecord(held) && typeof held.version === 'number' ? held.version : -1;
    const version = isRecord(item) && typeof item.version === 'number' ? item.version : 0;
    if (held !== undefined && version <= heldVersion) return false;
    items[key] = item;
    (kind === 'flags' ? this.preparedFlags : this.preparedSegments).delete(key);
    return true;
  }

  /** The raw item held under `key`, tombstones included. */
  item(kind: DataKind, key: string): FlagData | SegmentData | undefined {
    const items: Items<FlagData | SegmentData> = kind === 'flags' ? this.flagItems : this.segmentItems;
    return hasOwn.call(items, key) ? items[key] : undefined;
  }

  /** Keys of flags that are present and not deleted. */
  flagKeys(): string[] {
    return Object.keys(this.flagItems).filter((k) => isLive(this.flagItems[k]));
  }

  /** The payload as held, for serialising or persisting. */
  toJSON(): AllData {
    return { flags: this.flagItems, segments: this.segmentItems };
  }
}
