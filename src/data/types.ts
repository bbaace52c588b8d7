/**
 * The interfaces between the client and where its flag data comes from.
 */
import type { AllData, FlagData, SegmentData } from '../wire.js';

export type DataKind = 'flags' | 'segments';

/** Receives what a data source learns; the client applies it to the data it holds. */
export interface DataSourceUpdates {
  /**
   * Replaces everything held with a full data set. `environmentId` is the LaunchDarkly environment
   * it came from, when the service said (the `X-LD-EnvID` response header).
   */
  init(data: AllData, environmentId?: string): void;
  /**
   * Adds or replaces one item when its version is newer than the one held. A deleted item is a
   * tombstone `{ key, version, deleted: true }`, kept so that an older update cannot revive it.
   */
  upsert(kind: DataKind, key: string, item: FlagData | SegmentData): void;
}

/**
 * A source that keeps data current in the background, for long-lived processes: streaming or a
 * polling loop. `start` resolves once the first full data set has been delivered, and rejects
 * when the source has given up for good (an invalid SDK key, say).
 */
export interface LDDataSource {
  start(updates: DataSourceUpdates): Promise<void>;
  close(): void;
}

/**
 * A source read on demand, for short-lived invocations: one KV read, one poll, one store read.
 * Resolves to the full data set, or to `undefined` when nothing changed since the last load
 * (an HTTP `304`). Rejects with an Error saying what went wrong.
 */
export interface DataLoader {
  /** A short name for logs and for `LDClient.dataSource`: `poll`, `kv`, `store`, … */
  readonly name: string;
  /** The LaunchDarkly environment of the data last loaded, when known. */
  readonly environmentId?: string;
  load(): Promise<AllData | undefined>;
}

/**
 * A KV-style store holding the whole `/sdk/latest-all` body under one key, as LaunchDarkly's
 * edge integrations write it (`LD-Env-<client-side id>`). Cloudflare KV namespaces, Vercel Edge
 * Config clients and `Map`s satisfy it as they are; the value may be JSON text or the parsed object.
 */
export interface KVStore {
  get(key: string): unknown;
  /** What messages call this store, e.g. `Edge Config`; default `KV store`. */
  readonly label?: string;
}
