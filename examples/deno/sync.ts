/**
 * Copies your LaunchDarkly environment into Deno KV every minute, for `main.ts` to read. On Deno
 * Deploy, import this module from `main.ts`; locally, run it next to the app:
 *
 *   LD_SDK_KEY=sdk-… LD_CLIENT_SIDE_ID=… deno run --allow-net --allow-env --unstable-kv --unstable-cron sync.ts
 *
 * Each run is one request to LaunchDarkly with the version stored beside the entry: an unchanged
 * data set is answered 304 and writes nothing. LD_DENO_KV_PATH names a local KV file to use
 * instead of the default database; LD_BASE_URI a Relay Proxy.
 */
import { createSync, denoKv } from 'npm:ldedge/sync';

const kv = await Deno.openKv(Deno.env.get('LD_DENO_KV_PATH') || undefined);
const sync = createSync({
  sdkKey: Deno.env.get('LD_SDK_KEY')!,
  clientSideId: Deno.env.get('LD_CLIENT_SIDE_ID')!,
  baseUri: Deno.env.get('LD_BASE_URI') || undefined,
  target: denoKv(kv),
});

await sync.run();
// A failed run is logged by Deno and retried by the next one; the entry stays as it was.
Deno.cron('copy LaunchDarkly flags to Deno KV', '* * * * *', async () => {
  await sync.run();
});
