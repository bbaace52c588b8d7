/**
 * A Vercel Edge Function (`api/flags.ts`) that evaluates flags from Edge Config.
 *
 * Set up LaunchDarkly's Vercel integration to write your environment to an Edge Config, connect
 * that Edge Config to the project (it sets EDGE_CONFIG), and set LD_SDK_KEY and LD_CLIENT_SIDE_ID.
 *
 *   curl -H 'x-vercel-ip-country: DE' 'https://<your-app>.vercel.app/api/flags?user=alice'
 */
import { createClient } from '@vercel/edge-config';
import { init, withLaunchDarkly, type LDSingleKindContext } from 'ldedge/vercel';

export const config = { runtime: 'edge' };

// In module scope, so that an isolate reuses the client and its flags until `cacheTtl` runs out.
const ld = init(process.env.LD_SDK_KEY!, {
  edgeConfig: createClient(process.env.EDGE_CONFIG),
  clientSideId: process.env.LD_CLIENT_SIDE_ID!,
});

// Flags are loaded before the handler runs; events go out through `context.waitUntil` after it.
export default withLaunchDarkly(ld, (request, client) => {
  const url = new URL(request.url);
  const key = url.searchParams.get('user');
  const context: LDSingleKindContext = key ? { kind: 'user', key } : { kind: 'user', key: 'anonymous', anonymous: true };
  // Vercel adds the visitor's country; the flag's rules can target on it.
  const country = request.headers.get('x-vercel-ip-country');
  if (country) context.country = country.toLowerCase();

  return Response.json({
    newCheckout: client.boolVariation('new-checkout', context, false),
    banner: client.stringVariation('banner-text', context, ''),
    uploadLimitMb: client.numberVariation('max-upload-mb', context, 10),
  });
});
