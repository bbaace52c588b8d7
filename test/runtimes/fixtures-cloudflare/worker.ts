/**
 * The Worker the Cloudflare tests run in workerd. It counts reads of its KV binding at the
 * binding itself, so a test can see how often the adapter really reads KV.
 */
import { withLaunchDarkly, type KVNamespaceLike, type LDContext } from '../../../runtimes/cloudflare/index.js';

interface Env {
  LD_KV?: KVNamespaceLike;
  LD_CLIENT_SIDE_ID: string;
  LD_SDK_KEY?: string;
  MOCK_URI: string;
  /** `kv` or `poll`. */
  MODE: string;
  CACHE_TTL: number;
  TIMEOUT: number;
}

let kvReads = 0;

function counted(kv: KVNamespaceLike): KVNamespaceLike {
  return {
    get(key) {
      kvReads++;
      return kv.get(key);
    },
  };
}

const handler = withLaunchDarkly(
  (env: Env) => ({
    kv: env.MODE === 'kv' && env.LD_KV ? counted(env.LD_KV) : undefined,
    clientSideId: env.LD_CLIENT_SIDE_ID,
    sdkKey: env.LD_SDK_KEY,
    timeout: env.TIMEOUT,
    options: { baseUri: env.MOCK_URI, eventsUri: env.MOCK_URI, cacheTtl: env.CACHE_TTL },
  }),
  async (request, _env, _ctx, ld) => {
    const url = new URL(request.url);
    const context = JSON.parse(url.searchParams.get('context') ?? '{"key":"anonymous"}') as LDContext;
    const flags = (url.searchParams.get('flags') ?? 'new-checkout,banner-text,max-upload-mb').split(',');
    const details = Object.fromEntries(flags.map((key) => [key, ld.variationDetail(key, context, null)]));
    ld.track('test-event', context, { path: url.pathname });
    if (url.pathname === '/throw') throw new Error('handler failed on purpose');
    return Response.json({
      details,
      allFlags: ld.allFlagsState(context, { withReasons: true }).toJSON(),
      status: ld.dataStatus(),
    });
  },
);

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === '/__reads') return Promise.resolve(Response.json({ kvReads }));
    return handler(request, env, ctx);
  },
};
