/**
 * The script edge-runtime runs: routes FetchEvents to the Vercel example (flags from Edge Config)
 * or to a polling handler, giving `waitUntil` the way the query string asks:
 *   via=context          as an Edge Function's second argument (or middleware's event);
 *   via=request-context  through Vercel's request context, with no second argument;
 *   via=none             not at all, so the flush must be awaited before the response.
 */
import { init, withLaunchDarkly, type WaitUntil } from '../../../runtimes/vercel/index.js';
import { edgeConfigStats } from './edge-config.js';

declare const MOCK_URI: string;

type Handler = (request: Request, context?: { waitUntil: WaitUntil }) => Promise<Response>;

interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
}

export function start(edgeFunction: Handler): void {
  const stats = { waitUntilCalls: 0, settled: 0, edgeConfig: edgeConfigStats };
  (globalThis as Record<string, unknown>).__stats = stats;

  const polled = init('sdk-vercel-poll', { baseUri: MOCK_URI, eventsUri: MOCK_URI, cacheTtl: 1 });
  const pollFunction = withLaunchDarkly(polled, (request, client) => {
    const key = new URL(request.url).searchParams.get('user') ?? 'anonymous';
    return Response.json({ newCheckout: client.boolVariation('new-checkout', { kind: 'user', key }, false) });
  });

  // What Vercel's runtime installs, and `@vercel/functions`' waitUntil reads.
  let current: { waitUntil: WaitUntil } | undefined;
  (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('@vercel/request-context')] = { get: () => current };

  addEventListener('fetch', (e) => {
    const event = e as FetchEventLike;
    const url = new URL(event.request.url);
    const handler: Handler = url.pathname === '/poll' ? pollFunction : edgeFunction;
    const waitUntil: WaitUntil = (promise) => {
      stats.waitUntilCalls++;
      event.waitUntil(promise.then(() => void stats.settled++));
    };
    const via = url.searchParams.get('via');
    if (via === 'context') {
      event.respondWith(handler(event.request, { waitUntil }));
    } else if (via === 'request-context') {
      current = { waitUntil };
      event.respondWith(handler(event.request).finally(() => (current = undefined)));
    } else {
      event.respondWith(handler(event.request));
    }
  });
}
