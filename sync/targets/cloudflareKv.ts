/** Cloudflare Workers KV through a Worker's binding: for a `scheduled` handler (Cron Trigger). */
import { versionKey, type SyncTarget } from '../types.js';

/** The part of a Workers KV namespace binding the sync uses. */
export interface KVNamespaceWriter {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/**
 * Writes `LD-Env-<client-side id>` as the `/sdk/latest-all` JSON text, as LaunchDarkly's
 * Cloudflare integration does, and its version under `<key>-version`.
 */
export function cloudflareKv(namespace: KVNamespaceWriter): SyncTarget {
  if (typeof namespace?.get !== 'function' || typeof namespace.put !== 'function') {
    throw new TypeError('cloudflareKv needs a KV namespace binding (with get() and put())');
  }
  return {
    name: 'cloudflare-kv',
    needsKey: true,
    // Cloudflare KV takes at most one write a second to the same key.
    minWriteInterval: 1,
    async readVersion(key) {
      return (await namespace.get(versionKey(key))) ?? undefined;
    },
    async write({ key, text, version }) {
      // The entry first: a version never names data that is not there.
      await namespace.put(key, text);
      await namespace.put(versionKey(key), version);
    },
  };
}
