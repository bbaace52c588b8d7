/**
 * Reads the whole data set from one entry of a KV-style store (`LD-Env-<client-side id>`), as
 * LaunchDarkly's edge integrations write it.
 */
import type { AllData } from '../wire.js';
import { parseAllData } from './parse.js';
import type { DataLoader, KVStore } from './types.js';

export class KVLoader implements DataLoader {
  readonly name = 'kv';

  constructor(
    private readonly store: KVStore,
    private readonly key: string,
  ) {}

  async load(): Promise<AllData> {
    const value = await this.store.get(this.key);
    if (value === undefined || value === null) {
      throw new Error(`KV store has no entry "${this.key}"; is the LaunchDarkly integration writing to this store?`);
    }
    return parseAllData(value, `KV entry "${this.key}"`);
  }
}
