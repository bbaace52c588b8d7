/**
 * Example Cloudflare Worker: evaluates the flags of `examples/flags.json` for the user described
 * by the query string (or the `X-User-Key` header) and answers with JSON.
 *
 *   GET /?key=bob&country=de&groups=beta,staff&plan=pro&org=acme
 *
 * Configured by `wrangler.toml`; `npm start` runs it locally in workerd.
 */
import { withLaunchDarkly, type KVNamespaceLike, type LDContext } from '../../runtimes/cloudflare/index.js';

export interface Env {
  /** Written by LaunchDarkly's Cloudflare integration; without it the Worker polls with LD_SDK_KEY. */
  LD_KV?: KVNamespaceLike;
  LD_CLIENT_SIDE_ID?: string;
  /** A secret (`wrangler secret put LD_SDK_KEY`); needed for events. */
  LD_SDK_KEY?: string;
  LD_EVENTS_URI?: string;
  LD_BASE_URI?: string;
}

const FLAGS = ['new-checkout', 'banner-text', 'max-upload-mb'];

function contextFrom(request: Request): LDContext {
  const params = new URL(request.url).searchParams;
  const user: Record<string, unknown> = {
    kind: 'user',
    key: params.get('key') ?? request.headers.get('x-user-key') ?? 'anonymous',
  };
  if (!params.has('key') && !request.headers.has('x-user-key')) user.anonymous = true;
  for (const name of ['name', 'email', 'country', 'plan']) {
    const value = params.get(name);
    if (value !== null) user[name] = value;
  }
  const groups = params.get('groups');
  if (groups !== null) user.groups = groups.split(',');
  const org = params.get('org');
  if (org === null) return user as LDContext;
  const { kind: _kind, ...member } = user;
  return { kind: 'multi', user: member, org: { key: org } } as LDContext;
}

export default {
  fetch: withLaunchDarkly(
    (env: Env) => ({
      kv: env.LD_KV,
      clientSideId: env.LD_CLIENT_SIDE_ID,
      sdkKey: env.LD_SDK_KEY,
      // Empty vars mean "LaunchDarkly's default".
      options: { eventsUri: env.LD_EVENTS_URI || undefined, baseUri: env.LD_BASE_URI || undefined },
    }),
    async (request, _env, _ctx, ld) => {
      if (new URL(request.url).pathname !== '/') return new Response('not found', { status: 404 });
      const context = contextFrom(request);
      const flags = Object.fromEntries(FLAGS.map((key) => [key, ld.variationDetail(key, context, null)]));
      ld.track('example-page-view', context, { path: '/' });
      const body = {
        context,
        flags,
        allFlags: ld.allFlagsState(context, { clientSideOnly: true }).toJSON(),
        dataStatus: ld.dataStatus(),
      };
      return new Response(JSON.stringify(body, null, 2), { headers: { 'Content-Type': 'application/json' } });
    },
  ),
};
