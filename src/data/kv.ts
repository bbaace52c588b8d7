/**
 * Reads the whole data set from one entry of a KV-style store (`LD-Env-<client-side id>`), as
 * LaunchDarkly's edge integrations write it.
 */
import type { AllData } from '../wire.js';
import { parseAllData } from './parse.js';
import type { DataLoader, KVStore } from './types.js';

export class KVLoader implements DataLoader {
  readonly name = 'kv';
  readonly #store: KVStore;
  readonly #key: string;

  constructor(store: KVStore, key: string) {
    this.#store = store;
    this.#key = key;
  }

  async load(): Promise<AllData> {
    const key = this.#key;
    const value = await this.#store.get(key);
    if (value == null) {
      throw new Error(`KV store has no entry "${key}"; is LaunchDarkly's integration writing to it?`);
    }
    return parseAllData(value, `KV entry "${key}"`);
  }
}
