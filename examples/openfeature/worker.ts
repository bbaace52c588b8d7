/**
 * Example Cloudflare Worker evaluating through OpenFeature: flags from the `LD-Env-<id>` KV entry,
 * the provider set once per isolate, evaluations through OpenFeature's client and through the
 * provider's synchronous request-scoped path. Needs the `nodejs_compat` compatibility flag, which
 * OpenFeature's server SDK uses (`node:events`, `async_hooks`).
 *
 *   GET /?key=bob&kind=user&country=de&groups=beta
 */
import { OpenFeature, type EvaluationContext } from '@openfeature/server-sdk';
import { withLaunchDarkly, type KVNamespaceLike } from 'ldedge/cloudflare';
import { LaunchDarklyProvider } from 'ldedge/openfeature';

export interface Env {
  LD_KV: KVNamespaceLike;
  LD_CLIENT_SIDE_ID: string;
  /** Needed for events (the `track` below). */
  LD_SDK_KEY?: string;
  LD_EVENTS_URI?: string;
}

let provider: LaunchDarklyProvider | undefined;

function contextFrom(request: Request): EvaluationContext {
  const params = new URL(request.url).searchParams;
  const context: EvaluationContext = { targetingKey: params.get('key') ?? 'anonymous', kind: params.get('kind') ?? 'user' };
  const country = params.get('country');
  if (country !== null) context.country = country;
  const groups = params.get('groups');
  if (groups !== null) context.groups = groups.split(',');
  return context;
}

export default {
  fetch: withLaunchDarkly(
    (env: Env) => ({
      kv: env.LD_KV,
      clientSideId: env.LD_CLIENT_SIDE_ID,
      sdkKey: env.LD_SDK_KEY,
      options: { eventsUri: env.LD_EVENTS_URI || undefined },
    }),
    async (request, _env, _ctx, ld) => {
      // The flags are loaded by now (withLaunchDarkly refreshes them past cacheTtl), so the
      // provider's initialize on the isolate's first request does no I/O of its own.
      if (provider === undefined) {
        provider = new LaunchDarklyProvider(ld);
        await OpenFeature.setProviderAndWait(provider);
      }
      const context = contextFrom(request);
      const checkout = await OpenFeature.getClient().getBooleanDetails('new-checkout', false, context);
      const flags = provider.forContext(context);
      const banner = flags.getStringDetails('banner-text', 'default banner');
      const uploadMb = flags.getNumberValue('max-upload-mb', 10);
      OpenFeature.getClient().track('example-page-view', context, { value: 1, path: '/' });
      return Response.json({ checkout, banner, uploadMb });
    },
  ),
};
