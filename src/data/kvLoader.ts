/**
 * Reads the whole data set from one entry of a KV-style store (`LD-Env-<client-side id>`), as
 * LaunchDarkly's edge integrations write it.
 */
import type { AllData } from '../wire.js';
import { loadError } from '../util/errors.js';
import { parseAllData } from './parseAllData.js';
import type { DataLoader, KVStore } from './types.js';

/** The loader of `store`'s entry `key`: a plain object, as it keeps no state between loads. */
export function kvLoader(store: KVStore, key: string): DataLoader {
  return {
    name: 'kv',
    async load(): Promise<AllData> {
      const name = store.label ?? 'KV store';
      const value = await store.get(key);
      if (value == null) throw loadError(`${name} has no entry "${key}"`, 'MISSING_ENTRY');
      return parseAllData(value, `${name} entry "${key}"`);
    },
  };
}
