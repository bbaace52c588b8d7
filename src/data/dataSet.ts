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

  private constructor(
    private readonly flagItems: Items<FlagData>,
    private readonly segmentItems: Items<SegmentData>,
  ) {}

  static empty(): DataSet {
    return new DataSet({}, {});
  }

  /**
   * A data set over a `/sdk/latest-all` body. Throws a descriptive TypeError when the body is not
   * of that shape at all; individual broken items are only found, and reported, when evaluated.
   */
  static fromPayload(payload: unknown): DataSet {
    const body = typeof payload === 'string' ? (JSON.parse(payload) as unknown) : payload;
    if (!isRecord(body)) throw new TypeError('flag data must be a JSON object with "flags" and "segments"');
    const flags = body.flags ?? {};
    const segments = body.segments ?? {};
    if (!isRecord(flags)) throw new TypeError('flag data "flags" must be an object keyed by flag key');
    if (!isRecord(segments)) {
      throw new TypeError('flag data "segments" must be an object keyed by segment key');
    }
    return new DataSet(flags as Items<FlagData>, segments as Items<SegmentData>);
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

  /** Keys of flags that are present and not deleted. */
  flagKeys(): string[] {
    return Object.keys(this.flagItems).filter((k) => isLive(this.flagItems[k]));
  }

  /** The payload as held, for serialising or persisting. */
  toJSON(): AllData {
    return { flags: this.flagItems, segments: this.segmentItems };
  }
}
