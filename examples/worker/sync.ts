/**
 * Example Cloudflare Worker that keeps `LD-Env-<client-side id>` in a KV namespace current, for
 * Workers that read it with `ldedge/cloudflare` (such as `index.ts`): what LaunchDarkly's
 * Cloudflare integration does, without it. Run it on a Cron Trigger, in its own `wrangler.toml`:
 *
 *   main = "examples/worker/sync.ts"
 *   [triggers]
 *   crons = ["* * * * *"]
 *   [[kv_namespaces]]
 *   binding = "LD_KV"
 *   id = "<the namespace the reading Workers bind>"
 *
 * and `npx wrangler secret put LD_SDK_KEY`. Each run costs one request to LaunchDarkly; an
 * unchanged data set is answered 304 and writes nothing to KV.
 */
import { cloudflareKv, syncOnce, type KVNamespaceWriter } from '../../sync/index.js';

export interface SyncEnv {
  LD_KV: KVNamespaceWriter;
  LD_CLIENT_SIDE_ID: string;
  /** A secret: the environment's server-side SDK key. */
  LD_SDK_KEY: string;
  /** Empty means LaunchDarkly's (https://sdk.launchdarkly.com). */
  LD_BASE_URI?: string;
}

export default {
  async scheduled(_controller: unknown, env: SyncEnv): Promise<void> {
    // Awaited, so that a failed sync shows as a failed Cron Trigger run; the next run retries.
    await syncOnce({
      sdkKey: env.LD_SDK_KEY,
      clientSideId: env.LD_CLIENT_SIDE_ID,
      baseUri: env.LD_BASE_URI || undefined,
      target: cloudflareKv(env.LD_KV),
    });
  },
};
