/**
 * Persistent stores in the layouts LaunchDarkly's Relay Proxy and server SDKs write (Redis,
 * DynamoDB, Consul): items stored one per key as JSON, plus an `$inited` marker written once a
 * full data set is in. Daemon mode (`useLdd`) reads flags only from such a store.
 */
import type { AllData, FlagData, SegmentData } from '../wire.js';
import { parseJson } from '../util/json.js';
import type { DataKind, DataLoader } from './types.js';

/** Raw access to one store. Concrete stores (Redis, DynamoDB, Consul) implement this. */
export interface PersistentDataStore {
  /** Every item of a kind, as the JSON text stored for it, keyed by item key. */
  getAll(kind: DataKind): Promise<Record<string, string>>;
  /** One item's JSON text, or undefined. */
  get(kind: DataKind, key: string): Promise<string | undefined>;
  /** Whether the `$inited` marker is present: a full data set was written at some point. */
  isInitialized(): Promise<boolean>;
  /** Replaces everything and sets `$inited`; for SDKs that fill the store themselves. */
  init?(data: { flags: Record<string, string>; segments: Record<string, string> }): Promise<void>;
  /** Writes one item if its version is newer than the stored one. */
  upsert?(kind: DataKind, key: string, version: number, json: string): Promise<void>;
  close?(): Promise<void>;
}

function parseItems<T>(raw: Record<string, string>, kind: DataKind): Record<string, T> {
  // Without a prototype, so that a key such as `__proto__` is stored as the item it names.
  const items: Record<string, T> = Object.create(null);
  for (const key in raw) items[key] = parseJson(raw[key], `persistent store's ${kind} "${key}"`) as T;
  return items;
}

/**
 * Reads a whole data set from a persistent store. The client's cache TTL decides how often this
 * runs, which makes the client itself the caching layer over the store.
 */
export function persistentStoreLoader(store: PersistentDataStore): DataLoader {
  return {
    name: 'store',
    async load(): Promise<AllData> {
      // Daemon mode reads what is there, `$inited` or not, as LaunchDarkly's SDKs do.
      const [flags, segments] = await Promise.all([store.getAll('flags'), store.getAll('segments')]);
      return { flags: parseItems<FlagData>(flags, 'flags'), segments: parseItems<SegmentData>(segments, 'segments') };
    },
  };
}

/** A store in memory, with the same semantics as the real ones: for tests and local runs. */
export class InMemoryPersistentStore implements PersistentDataStore {
  private readonly items: Record<DataKind, Map<string, string>> = {
    flags: new Map(),
    segments: new Map(),
  };
  private inited = false;

  async getAll(kind: DataKind): Promise<Record<string, string>> {
    return Object.fromEntries(this.items[kind]);
  }

  async get(kind: DataKind, key: string): Promise<string | undefined> {
    return this.items[kind].get(key);
  }

  async isInitialized(): Promise<boolean> {
    return this.inited;
  }

  async init(data: { flags: Record<string, string>; segments: Record<string, string> }): Promise<void> {
    this.items.flags = new Map(Object.entries(data.flags));
    this.items.segments = new Map(Object.entries(data.segments));
    this.inited = true;
  }

  async upsert(kind: DataKind, key: string, version: number, json: string): Promise<void> {
    const held = this.items[kind].get(key);
    if (held !== undefined && (JSON.parse(held) as { version?: number }).version! >= version) return;
    this.items[kind].set(key, json);
  }
}
