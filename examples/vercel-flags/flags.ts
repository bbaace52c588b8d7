/**
 * Flags declared with Vercel's Flags SDK, decided by LaunchDarkly's rules through ldedge. The
 * flags of `examples/flags.json` come from Edge Config, where LaunchDarkly's Vercel integration
 * writes them; a request's context is its `uid` cookie and the country Vercel detected.
 */
import { createClient } from '@vercel/edge-config';
import { flag } from 'flags/next';
import { init } from 'ldedge/vercel';
import { createLaunchDarklyAdapter } from 'ldedge/vercel-flags';

const client = init(process.env.LD_SDK_KEY ?? '', {
  edgeConfig: createClient(process.env.EDGE_CONFIG),
  clientSideId: process.env.LD_CLIENT_SIDE_ID,
  cacheTtl: Number(process.env.LD_CACHE_TTL ?? 30),
});

export const ld = createLaunchDarklyAdapter({
  client,
  identify: ({ headers, cookies }) => {
    const key = cookies.get('uid')?.value;
    const country = headers.get('x-vercel-ip-country')?.toLowerCase();
    return key
      ? { kind: 'user', key, ...(country ? { country } : {}) }
      : { kind: 'user', key: 'anonymous', anonymous: true };
  },
});

export const newCheckout = flag<boolean>({ key: 'new-checkout', adapter: ld.variation(), defaultValue: false, options: [false, true] });
export const bannerText = flag<string>({ key: 'banner-text', adapter: ld.variation(), defaultValue: 'Welcome' });
export const uploadLimitMb = flag<number>({ key: 'max-upload-mb', adapter: ld.variation(), defaultValue: 10, options: [10, 100, 500] });

/** The flags a middleware precomputes into a code for static pages. */
export const pageFlags = [newCheckout, bannerText, uploadLimitMb] as const;
