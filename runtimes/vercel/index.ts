/**
 * ldedge for Vercel: Edge Functions, Next.js middleware, and web-handler Vercel Functions.
 *
 * Flags come from Edge Config (LaunchDarkly's Vercel integration writes `LD-Env-<client-side id>`
 * there) or from one poll of LaunchDarkly. Create the client in module scope: an isolate keeps it,
 * and the flags it loaded, across invocations until `cacheTtl` runs out. Events leave through
 * `waitUntil`, so sending them never delays a response when the host offers one.
 */
import { init as initCore, type KVStore, type LDClient, type LDOptions } from '../../src/lean.js';
import { withFreshFlags } from '../shared/handler.js';

export * from '../../src/lean.js';

/** Keeps the invocation alive until `promise` settles, after the response has been sent. */
export type WaitUntil = (promise: Promise<unknown>) => void;

export interface VercelOptions extends LDOptions {
  /**
   * An Edge Config client (`createClient(process.env.EDGE_CONFIG)` from `@vercel/edge-config`) or
   * anything with `get(key)`: shorthand for `kvStore`. Give `clientSideId` (or `kvKey`) with it.
   */
  edgeConfig?: KVStore;
}

export interface HandlerOptions {
  /** Seconds to wait for flags before the handler runs anyway (evaluating to defaults); default 5. */
  timeout?: number;
  /** Used when neither the handler's context nor Vercel's request context offers `waitUntil`. */
  waitUntil?: WaitUntil;
}

/** Like the engine's `init`, with `edgeConfig` as a name for the Edge Config store. */
export function init(sdkKey: string, options: VercelOptions = {}): LDClient {
  const { edgeConfig, ...rest } = options;
  if (edgeConfig !== undefined) {
    if (rest.kvStore !== undefined) throw new TypeError('options "edgeConfig" and "kvStore" both name the store; give one');
    // Named, so that a missing or bad item is reported as an Edge Config one.
    rest.kvStore = { get: (key) => edgeConfig.get(key), label: 'Edge Config' };
  }
  return initCore(sdkKey, rest);
}

// The request context Vercel's runtime installs; `waitUntil` from `@vercel/functions` reads it.
const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');

type RequestContextReader = { get?: () => { waitUntil?: WaitUntil } | undefined };

function ownWaitUntil(host: unknown): WaitUntil | undefined {
  const candidate = host as { waitUntil?: unknown } | null | undefined;
  // Called as a method: NextFetchEvent's waitUntil needs its `this`.
  return typeof candidate?.waitUntil === 'function' ? (p) => (candidate as { waitUntil: WaitUntil }).waitUntil(p) : undefined;
}

/**
 * The `waitUntil` to use: the one on `host` (an Edge Function's context, Next.js middleware's
 * event), else `fallback`, else the one Vercel's request context provides (as
 * `@vercel/functions`' `waitUntil` finds it), else undefined.
 */
export function findWaitUntil(host?: unknown, fallback?: WaitUntil): WaitUntil | undefined {
  const own = ownWaitUntil(host) ?? fallback;
  if (own !== undefined) return own;
  const reader = (globalThis as unknown as Record<symbol, RequestContextReader | undefined>)[REQUEST_CONTEXT];
  return ownWaitUntil(reader?.get?.());
}

/**
 * Sends the client's events. With a `waitUntil` (see `findWaitUntil`) the flush is handed to it
 * and this resolves at once; without one it resolves when the flush is done, so a handler that
 * awaits it still delivers its events before the invocation ends. Never rejects.
 */
export function scheduleFlush(client: LDClient, host?: unknown, fallback?: WaitUntil): Promise<void> {
  const flushing = client.flush();
  const waitUntil = findWaitUntil(host, fallback);
  if (waitUntil === undefined) return flushing;
  try {
    waitUntil(flushing);
    return Promise.resolve();
  } catch {
    // A host may refuse once its response is complete; then wait here instead.
    return flushing;
  }
}

/**
 * Wraps a handler so that flags are loaded (or refreshed past `cacheTtl`) before it runs and its
 * events are flushed after it. Works for an Edge Function `(request, context)`, Next.js
 * middleware `(request, event)`, and a route handler `(request)`. A failed load is logged and the
 * handler still runs: evaluations then give their defaults.
 */
export function withLaunchDarkly<Req extends Request = Request, Ctx = unknown, Res = Response>(
  client: LDClient,
  handler: (request: Req, client: LDClient, context: Ctx) => Res | Promise<Res>,
  options: HandlerOptions = {},
): (request: Req, context?: Ctx) => Promise<Res> {
  return (request, context) =>
    withFreshFlags(
      client,
      options,
      () => handler(request, client, context as Ctx),
      () => scheduleFlush(client, context, options.waitUntil),
    );
}
