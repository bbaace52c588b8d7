/**
 * The reading side of the version stored beside an entry: a loader that reads the small version
 * first and the whole entry only when the version changed, so an isolate refreshing an unchanged
 * data set skips the large read and the parse. For clients that take a `dataSource` (ldedge,
 * ldedge/vercel, ldedge/deno, ldedge/lambda). ldedge/cloudflare's reader is left as it is.
 */
import { parseAllData } from '../src/data/parseAllData.js';
import type { DataLoader, KVStore } from '../src/data/types.js';
import { versionKey } from './types.js';

/**
 * A `dataSource` reading entry `key` of `store` (an Edge Config client, `denoKvStore(kv)`, a KV
 * binding, …) only when the version beside it differs from the one last read. An entry with no
 * version beside it (written by LaunchDarkly's own integrations) is read in full every time.
 */
export function versionedKvLoader(store: KVStore, key: string): DataLoader {
  if (typeof store?.get !== 'function') throw new TypeError('versionedKvLoader needs a store with get(key)');
  if (typeof key !== 'string' || key === '') throw new TypeError('versionedKvLoader needs the entry\'s key, e.g. "LD-Env-<client-side id>"');
  let held: string | undefined;
  return {
    name: 'kv',
    async load() {
      const version = await store.get(versionKey(key));
      const current = typeof version === 'string' ? version : undefined;
      if (current !== undefined && current === held) return undefined;
      const value = await store.get(key);
      if (value == null) throw new Error(`KV store has no entry "${key}"`);
      const data = parseAllData(value, `KV entry "${key}"`);
      // The version read before the entry: the sync writes the entry first, so the entry read is
      // at least that new, and an older version can never stand for newer data.
      held = current;
      return data;
    },
  };
}
