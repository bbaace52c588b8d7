/**
 * The script edge-runtime runs: FetchEvents go to the Flags SDK example Edge Function, with
 * Vercel's request context installed (its `waitUntil` is the event's, counted) and, for
 * `/server`, the flags called as Next.js server code calls them (no request argument).
 */
import { edgeConfigStats } from '../fixtures-vercel-deno/edge-config.js';
import { setRequest } from './next-headers.js';

interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
}

/** A flag as server code calls it: with no arguments. */
type ServerFlag = () => Promise<unknown>;

export function start(
  handler: (request: Request) => Promise<Response>,
  [newCheckout, bannerText, uploadLimitMb]: readonly ServerFlag[],
): void {
  const stats = { waitUntilCalls: 0, settled: 0, edgeConfig: edgeConfigStats };
  (globalThis as Record<string, unknown>).__stats = stats;

  let current: { waitUntil(promise: Promise<unknown>): void } | undefined;
  (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('@vercel/request-context')] = { get: () => current };

  async function server(): Promise<Response> {
    const [checkout, banner, upload] = await Promise.all([newCheckout(), bannerText(), uploadLimitMb()]);
    return Response.json({ newCheckout: checkout, banner, uploadLimitMb: upload });
  }

  addEventListener('fetch', (e) => {
    const event = e as FetchEventLike;
    current = {
      waitUntil(promise) {
        stats.waitUntilCalls++;
        event.waitUntil(promise.then(() => void stats.settled++));
      },
    };
    setRequest(event.request);
    const path = new URL(event.request.url).pathname;
    event.respondWith((path === '/server' ? server() : handler(event.request)).finally(() => setRequest(undefined)));
  });
}
