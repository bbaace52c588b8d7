/**
 * A Deno.serve app that evaluates flags from Deno KV. `sync.ts` keeps the flags in KV current.
 *
 *   LD_SDK_KEY=sdk-… LD_CLIENT_SIDE_ID=… deno run --allow-net --allow-env --unstable-kv main.ts
 *   curl 'http://localhost:8000/?user=alice&country=de'
 */
import { denoKvStore, init, withLaunchDarkly, type LDClient, type LDSingleKindContext } from 'npm:ldedge/deno';

/** The app's handler; flags are loaded before it runs and its events sent after the response. */
export function createHandler(ld: LDClient) {
  return withLaunchDarkly(ld, (request, client) => {
    const url = new URL(request.url);
    const key = url.searchParams.get('user');
    const context: LDSingleKindContext = key ? { kind: 'user', key } : { kind: 'user', key: 'anonymous', anonymous: true };
    const country = url.searchParams.get('country');
    if (country) context.country = country;

    client.track('flags-viewed', context);
    return Response.json({
      newCheckout: client.boolVariation('new-checkout', context, false),
      banner: client.stringVariation('banner-text', context, ''),
      uploadLimitMb: client.numberVariation('max-upload-mb', context, 10),
    });
  });
}

if (import.meta.main) {
  const kv = await Deno.openKv();
  // One KV read fills the client; it is read again only when a request comes after `cacheTtl`.
  const ld = init(Deno.env.get('LD_SDK_KEY')!, {
    kvStore: denoKvStore(kv),
    clientSideId: Deno.env.get('LD_CLIENT_SIDE_ID')!,
    cacheTtl: 30,
  });
  Deno.serve(createHandler(ld));
}
