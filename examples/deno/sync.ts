/**
 * Copies your LaunchDarkly environment into Deno KV every minute, for `main.ts` to read. On Deno
 * Deploy, import this module from `main.ts`; locally, run it next to the app:
 *
 *   LD_SDK_KEY=sdk-… LD_CLIENT_SIDE_ID=… deno run --allow-net --allow-env --unstable-kv --unstable-cron sync.ts
 */
import { putDenoKvPayload } from 'npm:ldedge/deno';

const kv = await Deno.openKv();
const sdkKey = Deno.env.get('LD_SDK_KEY')!;
const key = `LD-Env-${Deno.env.get('LD_CLIENT_SIDE_ID')}`;

async function sync(): Promise<void> {
  const response = await fetch('https://sdk.launchdarkly.com/sdk/latest-all', { headers: { Authorization: sdkKey } });
  if (!response.ok) throw new Error(`LaunchDarkly answered HTTP ${response.status}`);
  // Splits the body across several entries when it is over Deno KV's 64 KiB value limit.
  await putDenoKvPayload(kv, key, await response.text());
}

await sync();
Deno.cron('copy LaunchDarkly flags to Deno KV', '* * * * *', sync);
