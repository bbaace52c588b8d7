/**
 * A persistent store in the layout of LaunchDarkly's Relay Proxy (Redis, DynamoDB, Consul, or any
 * `PersistentDataStore` with `init` and `upsert`): a full data set replaces the store's items in
 * one `init`, a streamed change is one version-checked `upsert`.
 */
import type { PersistentDataStore } from '../../src/data/persistentStore.js';
import type { DataKind, SyncTarget } from '../types.js';

export type { PersistentDataStore };

/**
 * Item versions by key, from the store's JSON texts. Tombstones are left out, as a data set has
 * none; an unreadable item is kept without a version, so it differs from anything.
 */
function versions(raw: Record<string, string>): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const [key, json] of Object.entries(raw)) {
    let item: { version?: unknown; deleted?: unknown } | undefined;
    try {
      item = JSON.parse(json) as { version?: unknown; deleted?: unknown } | undefined;
    } catch {
      // kept without a version
    }
    if (item?.deleted === true) continue;
    out.set(key, typeof item?.version === 'number' ? item.version : undefined);
  }
  return out;
}

export function persistentStore(store: PersistentDataStore): SyncTarget {
  if (typeof store?.init !== 'function' || typeof store.upsert !== 'function' || typeof store.getAll !== 'function') {
    throw new TypeError('persistentStore needs a store with getAll(), init() and upsert(), such as redisStore({ url })');
  }
  const serialise = (items: object) => Object.fromEntries(Object.entries(items).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    name: 'store',
    needsKey: false,
    // A store has nowhere of its own for a version: `holds` compares the items instead.
    async readVersion() {
      return undefined;
    },
    async holds({ data }) {
      if (!(await store.isInitialized())) return false;
      for (const kind of ['flags', 'segments'] as DataKind[]) {
        const stored = versions(await store.getAll(kind));
        const wanted = Object.entries(data[kind]);
        if (stored.size !== wanted.length) return false;
        for (const [key, item] of wanted) {
          if (!stored.has(key) || stored.get(key) !== (item as { version?: number }).version) return false;
        }
      }
      return true;
    },
    async write({ data }) {
      await store.init!({ flags: serialise(data.flags), segments: serialise(data.segments) });
    },
    async writeItem(kind, key, item) {
      await store.upsert!(kind, key, item.version, JSON.stringify(item));
    },
  };
}
