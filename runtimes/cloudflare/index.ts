/**
 * ldedge for Cloudflare Workers.
 *
 * ```ts
 * import { withLaunchDarkly } from 'ldedge/cloudflare';
 *
 * interface Env { LD_KV: KVNamespace; LD_CLIENT_SIDE_ID: string; LD_SDK_KEY?: string }
 *
 * export default {
 *   fetch: withLaunchDarkly(
 *     (env: Env) => ({ kv: env.LD_KV, clientSideId: env.LD_CLIENT_SIDE_ID, sdkKey: env.LD_SDK_KEY }),
 *     async (request, env, ctx, ld) => {
 *       const key = request.headers.get('x-user-key');
 *       const context = key ? { kind: 'user', key } : { kind: 'user', key: 'anonymous', anonymous: true };
 *       return new Response(ld.boolVariation('new-checkout', context, false) ? 'new' : 'old');
 *     },
 *   ),
 * };
 * ```
 *
 * Flags come from the `LD-Env-<client-side id>` entry LaunchDarkly's Cloudflare integration writes
 * to a KV namespace (`kv` + `clientSideId`), or, without `kv`, from one poll of LaunchDarkly with
 * `sdkKey`. One client per KV entry or SDK key lives in the isolate and keeps its parsed flags for
 * `options.cacheTtl` seconds (default 30), so warm requests do no I/O before the handler runs.
 * Events are sent after the response through `ctx.waitUntil`, also when the handler throws;
 * without `sdkKey` no events are sent. `options` are the engine's, read when the isolate first
 * builds the client.
 *
 * workerd cancels a request's outstanding I/O when that request ends, and a promise another
 * request's I/O would settle may then never settle. So every load here is done by the request
 * that needs it and handed to the shared client only once it has completed: no request ever
 * waits on I/O another request started. A request that finds a stale client while another is
 * already refreshing it evaluates the flags held; on a cold isolate it watches, on its own
 * timers, for the other request's load to land, and reads for itself only if that load fails or
 * outlives its time.
 */
import { clientInternals, timedOut, type ClientInternals } from '../../src/adapterApi.js';
import { init, type AllData, type LDClient, type LDOptions } from '../../src/lean.js';
import { warmUp } from './warmup.js';

export * from '../../src/lean.js';

/** The part of a Workers KV namespace binding used here. */
export interface KVNamespaceLike {
  get(key: string): Promise<string | null>;
}

/** The part of a Workers `ExecutionContext` used here. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface LDWorkerSettings {
  /** The KV namespace LaunchDarkly's Cloudflare integration writes to. */
  kv?: KVNamespaceLike;
  /** Names the KV entry `LD-Env-<clientSideId>`; needed with `kv` (or `options.kvKey`). */
  clientSideId?: string;
  /** Server-side SDK key: sends events, and is polled with when there is no `kv`. */
  sdkKey?: string;
  /** Engine options: `cacheTtl`, `eventsUri`, `baseUri`, `logger`, … */
  options?: LDOptions;
  /** Seconds a request waits for flags before the handler runs anyway (with defaults); default 5. */
  timeout?: number;
}

export type LDWorkerHandler<Env> = (
  request: Request,
  env: Env,
  ctx: WaitUntilContext,
  ld: LDClient,
) => Response | Promise<Response>;

/** Resolves after `ms` on this request's own timer. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The isolate's client for one KV entry or SDK key. Freshness (the TTL, what a failure means) is
 * the client's own; what is kept here is only which request is refreshing it, until when.
 */
class IsolateClient {
  readonly client: LDClient;
  /** The latest binding seen; bindings belong to the isolate, not to a request. */
  kv: KVNamespaceLike | undefined;
  readonly #engine: ClientInternals;
  /** Until then another request is refreshing: stale flags are good enough meanwhile. */
  #refreshingUntil = 0;

  constructor({ kv, clientSideId, sdkKey, options = {} }: LDWorkerSettings) {
    this.client = init(sdkKey || clientSideId || 'unused', {
      ...options,
      // Read through the latest binding. Without `kv` the client polls, and keeps its loader for
      // the isolate: it remembers the ETag, so an unchanged data set costs a 304.
      kvStore: kv && { get: (key: string) => this.kv!.get(key) },
      clientSideId,
      sendEvents: sdkKey ? options.sendEvents : false,
      // A timer would belong to the request that made it and die with it; every request flushes.
      flushInterval: undefined,
    });
    this.#engine = clientInternals(this.client);
    if (!sdkKey && options.sendEvents !== false) this.#engine[0].info('no "sdkKey": analytics events are not sent');
  }

  /** The client, with flags loaded or refreshed as needed by this request. */
  async ready(timeout: number | undefined, ctx: WaitUntilContext): Promise<LDClient> {
    const { client } = this;
    const [logger, loader, fresh] = this.#engine;
    const seconds = Math.max(0, timeout ?? 5);
    const deadline = Date.now() + seconds * 1000;
    if (fresh()) return client;
    if (Date.now() < this.#refreshingUntil) {
      // Another request is loading. Stale flags will do; on a cold isolate, watch for its result
      // on this request's own timers (never on its promise), until it should have finished or
      // this request's time is up.
      for (let pause = 1; !client.initialized() && Date.now() < Math.min(this.#refreshingUntil, deadline); pause = Math.min(pause * 2, 25)) {
        await sleep(pause);
      }
      if (client.initialized() || Date.now() >= deadline) return client;
    }

    this.#refreshingUntil = deadline;
    const refresh = this.#handOver(loader!.load());
    // If this request stops waiting, the read still completes and updates the client.
    ctx.waitUntil(refresh);
    if (await timedOut(refresh, deadline - Date.now())) logger.warn(`flag data was not loaded within ${seconds} s; using the flags loaded before, or defaults`);
    return client;
  }

  /**
   * Once this request's read has completed, gives it to the client, unless another request has
   * refreshed it meanwhile. A failure with flags held waits out the TTL, as the client does with
   * any failure; a cold failure leaves it stale, so the next request reads again.
   */
  async #handOver(read: Promise<AllData | undefined>): Promise<void> {
    await read.catch(() => {});
    const [logger, , fresh, wait] = this.#engine;
    if (fresh()) return;
    try {
      // Settles within this turn: the data is already here.
      await wait(read);
    } catch (err) {
      logger.error(`flags could not be loaded: ${(err as Error).message}`);
    } finally {
      this.#refreshingUntil = 0;
    }
  }
}

const clients = new Map<string, IsolateClient>();

warmUp();

/**
 * The isolate's client for these settings, with flags loaded or refreshed as needed by this
 * request. Hand `client.flush()` to `ctx.waitUntil` when done (`withLaunchDarkly` does).
 */
export async function getLDClient(settings: LDWorkerSettings, ctx: WaitUntilContext): Promise<LDClient> {
  const { kv, clientSideId, sdkKey, options } = settings;
  if (!kv && !sdkKey) throw new TypeError('ldedge/cloudflare needs "kv" with "clientSideId", or "sdkKey"');
  const id = `${kv ? options?.kvKey ?? clientSideId : ''}\n${sdkKey}`;
  const found = clients.get(id) ?? new IsolateClient(settings);
  clients.set(id, found);
  found.kv = kv;
  return found.ready(settings.timeout, ctx);
}

/**
 * Wraps a Worker's `fetch` handler: flags are ready (or the timeout has passed) when `handler`
 * runs, and the events it recorded are flushed through `ctx.waitUntil` afterwards.
 */
export function withLaunchDarkly<Env>(
  settings: (env: Env) => LDWorkerSettings,
  handler: LDWorkerHandler<Env>,
): (request: Request, env: Env, ctx: WaitUntilContext) => Promise<Response> {
  return async (request, env, ctx) => {
    const ld = await getLDClient(settings(env), ctx);
    try {
      return await handler(request, env, ctx, ld);
    } finally {
      // After a timer tick, so serialising and posting the events happen once the response is out.
      ctx.waitUntil(sleep(0).then(() => ld.flush()));
    }
  };
}
