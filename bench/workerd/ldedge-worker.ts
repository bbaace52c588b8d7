/**
 * Bench Worker (a): ldedge through the Cloudflare adapter, flags from KV, 20 evaluations for one
 * context per request. FLAG_KEYS and CONTEXT are filled in when the bench bundles it.
 */
import { withLaunchDarkly, type KVNamespaceLike, type LDContext } from '../../runtimes/cloudflare/index.js';

declare const FLAG_KEYS: string[];
declare const CONTEXT: LDContext;

interface Env {
  LD_KV: KVNamespaceLike;
  LD_CLIENT_SIDE_ID: string;
  LD_EVENTS_URI: string;
}

export default {
  fetch: withLaunchDarkly(
    (env: Env) => ({
      kv: env.LD_KV,
      clientSideId: env.LD_CLIENT_SIDE_ID,
      sdkKey: 'sdk-bench',
      options: { eventsUri: env.LD_EVENTS_URI, logger: { debug() {}, info() {}, warn() {}, error() {} } },
    }),
    (_request, _env, _ctx, ld) => {
      let on = 0;
      for (const key of FLAG_KEYS) if (ld.variation(key, CONTEXT, null) !== null) on++;
      return new Response(String(on));
    },
  ),
};
