/** What the sync writes and the targets it writes to. */
import type { DataKind } from '../src/data/types.js';
import type { AllData, FlagData, SegmentData } from '../src/wire.js';

export type { AllData, DataKind, FlagData, SegmentData };

/** One full data set, ready to store under `key`. */
export interface SyncEntry {
  /** Where it goes: `LD-Env-<client-side id>` unless another key was given; empty for stores. */
  readonly key: string;
  /** The `/sdk/latest-all` body as JSON text: what LaunchDarkly's edge integrations store. */
  readonly text: string;
  /** The same data, parsed, for targets that store JSON values rather than text. */
  readonly data: AllData;
  /**
   * Names this data set: LaunchDarkly's `ETag` when the data came from a poll, otherwise a hash
   * of `text`. Stored beside the entry (under `versionKey(key)`) so that the next run can ask
   * LaunchDarkly for changes only, and a reader can tell a newer entry without reading it.
   */
  readonly version: string;
}

/**
 * A place the sync keeps current. A target writes the entry before its version, so that a version
 * never names data that is not there; a write that fails must leave the previous entry as it was.
 */
export interface SyncTarget {
  /** For logs: `cloudflare-kv`, `edge-config`, `deno-kv`, `store`, … */
  readonly name: string;
  /** False for targets that keep items one by one rather than one entry under a key. */
  readonly needsKey: boolean;
  /**
   * Seconds the relay leaves between two writes of the whole entry, for stores that limit writes
   * to one key (Cloudflare KV: one a second); changes meanwhile go into the next write.
   */
  readonly minWriteInterval?: number;
  /** The version stored beside the entry `key`, or undefined when there is none. */
  readVersion(key: string): Promise<string | undefined>;
  /** Stores a full data set. */
  write(entry: SyncEntry): Promise<void>;
  /**
   * Whether the target already holds this data set, for targets with nowhere to keep a version
   * (a persistent store): compared item by item, by version.
   */
  holds?(entry: SyncEntry): Promise<boolean>;
  /**
   * Stores one item a stream changed, where the target keeps items one by one (a persistent
   * store); targets without it get the whole entry rewritten instead.
   */
  writeItem?(kind: DataKind, key: string, item: FlagData | SegmentData): Promise<void>;
}

/**
 * The key of the version stored beside entry `key`. Letters, digits, `_` and `-` only, so that it
 * is valid in every target (Edge Config refuses other characters in keys).
 */
export function versionKey(key: string): string {
  return `${key}-version`;
}
