/**
 * Next.js middleware (`middleware.ts` at the project root) that sends each visitor to the old or
 * the new checkout, as the `new-checkout` flag says, keeping a stable visitor key in a cookie.
 *
 * Environment: EDGE_CONFIG (set when an Edge Config is connected), LD_SDK_KEY, LD_CLIENT_SIDE_ID.
 */
import { createClient } from '@vercel/edge-config';
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { init, withLaunchDarkly } from 'ldedge/vercel';

const ld = init(process.env.LD_SDK_KEY!, {
  edgeConfig: createClient(process.env.EDGE_CONFIG),
  clientSideId: process.env.LD_CLIENT_SIDE_ID!,
});

// The wrapper hands the event flush to `event.waitUntil`, so it never delays the response.
export const middleware = withLaunchDarkly(ld, (request: NextRequest, client, _event: NextFetchEvent) => {
  const known = request.cookies.get('visitor')?.value;
  const visitor = known ?? crypto.randomUUID();
  const newCheckout = client.boolVariation('new-checkout', { kind: 'user', key: visitor, anonymous: !known }, false);

  const response = newCheckout
    ? NextResponse.rewrite(new URL('/checkout/new', request.url))
    : NextResponse.next();
  if (!known) response.cookies.set('visitor', visitor, { maxAge: 60 * 60 * 24 * 365, httpOnly: true });
  return response;
});

export const config = { matcher: '/checkout' };
