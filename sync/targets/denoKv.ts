/**
 * Deno KV, in the layout `ldedge/deno`'s `denoKvStore` reads: the `/sdk/latest-all` text under
 * `[...prefix, key]` (split into chunks past Deno KV's 64 KiB value limit), and its version under
 * `[...prefix, "<key>-version"]`.
 */
import { putDenoKvPayload, type DenoKvKey, type DenoKvWriter } from '../../runtimes/deno/index.js';
import { versionKey, type SyncTarget } from '../types.js';

export type { DenoKvKey, DenoKvWriter };

export function denoKv(kv: DenoKvWriter, prefix: DenoKvKey = []): SyncTarget {
  if (typeof kv?.get !== 'function' || typeof kv.atomic !== 'function') {
    throw new TypeError('denoKv needs a Deno.Kv (from Deno.openKv())');
  }
  if (!Array.isArray(prefix)) throw new TypeError('denoKv\'s "prefix" must be a Deno KV key (an array)');
  return {
    name: 'deno-kv',
    needsKey: true,
    async readVersion(key) {
      const { value } = await kv.get([...prefix, versionKey(key)]);
      return typeof value === 'string' ? value : undefined;
    },
    async write({ key, text, version }) {
      // The entry first (its chunks before its head): a version never names data that is not there.
      await putDenoKvPayload(kv, key, text, prefix);
      if (!(await kv.atomic().set([...prefix, versionKey(key)], version).commit()).ok) {
        throw new Error('Deno KV write of the version was not committed');
      }
    },
  };
}
