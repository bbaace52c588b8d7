/**
 * Watches a Deno KV file the way a Deno app reading flags would (`denoKvStore`), printing one
 * JSON line each time the entry or the version stored beside it changes (the sync writes the
 * entry first): the flag's value as the engine evaluates it, and that version. For the sync tests under the `deno` binary.
 */
import { denoKvStore, init, type DenoKvReader } from '../../../runtimes/deno/index.js';

declare const Deno: { args: string[]; openKv(path: string): Promise<DenoKvReader> };

const [path, key] = Deno.args;
const kv = await Deno.openKv(path);
const store = denoKvStore(kv);
let last: unknown;
let lastStored: unknown;
console.log(JSON.stringify({ watching: key }));
for (;;) {
  const text = await store.get(key).catch(() => undefined);
  const { value: stored } = await kv.get([`${key}-version`]);
  if (typeof text === 'string' && (text !== last || stored !== lastStored)) {
    last = text;
    lastStored = stored;
    const client = init('sdk-reader', { payload: text, sendEvents: false });
    await client.waitForInitialization();
    console.log(JSON.stringify({ value: client.variation('banner', { kind: 'user', key: 'u' }, null), bytes: text.length, stored }));
    await client.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
