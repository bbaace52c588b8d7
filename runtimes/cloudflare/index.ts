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
 *       const context = { kind: 'user', key: request.headers.get('x-user-key') ?? 'anonymous' };
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
import { basicLogger, init, type AllData, type DataLoader, type LDClient, type LDLogger, type LDOptions } from '../../src/core.js';
import { makeConfig } from '../../src/config.js';
import { KVLoader } from '../../src/data/kv.js';
import { PollingLoader } from '../../src/data/poll.js';
import { warmUp } from './warmup.js';

export * from '../../src/core.js';

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

/** Hands the shared client a data set that the current request has already read. */
class HandOverLoader implements DataLoader {
  next: Promise<AllData | undefined> | undefined;

  constructor(
    readonly name: string,
    readonly read: () => Promise<AllData | undefined>,
  ) {}

  load(): Promise<AllData | undefined> {
    const handed = this.next;
    this.next = undefined;
    // Without a hand-over (the handler called waitForInitialization itself) the caller reads.
    return handed ?? this.read();
  }
}

interface Entry {
  readonly client: LDClient;
  readonly loader: HandOverLoader;
  readonly logger: LDLogger;
  readonly ttlMs: number;
  /** When flags were last loaded or a load failed while flags were held; -Infinity before. */
  checkedAt: number;
  /** Until then another request is refreshing: stale flags are good enough meanwhile. */
  refreshingUntil: number;
  /** The latest binding seen; bindings belong to the isolate, not to a request. */
  kv: KVNamespaceLike | undefined;
}

const entries = new Map<string, Entry>();

warmUp();

function entryFor(settings: LDWorkerSettings): Entry {
  const { kv, clientSideId, sdkKey, options = {} } = settings;
  let kvKey: string | undefined;
  if (kv !== undefined) {
    kvKey = options.kvKey ?? (clientSideId ? `LD-Env-${clientSideId}` : undefined);
    if (kvKey === undefined) throw new TypeError('ldedge/cloudflare: "kv" needs "clientSideId" to know which entry to read');
  } else if (!sdkKey) {
    throw new TypeError('ldedge/cloudflare: give "kv" with "clientSideId", or "sdkKey" to poll LaunchDarkly');
  }
  const id = `${kvKey ?? ''}\n${sdkKey ?? ''}`;
  const found = entries.get(id);
  if (found !== undefined) {
    found.kv = kv;
    return found;
  }

  const logger = options.logger ?? basicLogger();
  // The engine's own reading of the options (cacheTtl, HTTP settings); it warns about them itself.
  const config = makeConfig(sdkKey || 'unused', { ...options, logger: basicLogger('none') });
  let read: () => Promise<AllData | undefined>;
  if (kvKey !== undefined) {
    const key = kvKey;
    read = () => new KVLoader(entry.kv as KVNamespaceLike, key).load();
  } else {
    // Kept for the isolate: it remembers the ETag, so an unchanged data set costs a 304.
    const poller = new PollingLoader(config.http, config.baseUri);
    read = () => poller.load();
  }
  const loader = new HandOverLoader(kvKey !== undefined ? 'kv' : 'poll', read);
  if (!sdkKey && options.sendEvents !== false) logger.info('no "sdkKey" was given, so analytics events are not sent');
  const client = init(sdkKey || clientSideId || 'unused', {
    ...options,
    dataSource: loader,
    sendEvents: sdkKey ? options.sendEvents : false,
    // A timer would belong to the request that made it and die with it; every request flushes.
    flushInterval: undefined,
  });
  const entry: Entry = { client, loader, logger, ttlMs: config.cacheTtlMs, checkedAt: -Infinity, refreshingUntil: 0, kv };
  entries.set(id, entry);
  return entry;
}

/** Gives the client what this request read, unless another request has meanwhile refreshed it. */
async function handOver(entry: Entry, result: Promise<AllData | undefined>): Promise<void> {
  if (Date.now() - entry.checkedAt < entry.ttlMs) {
    result.catch(() => {});
    return;
  }
  entry.loader.next = result;
  try {
    // Settles within this turn: the data is already here.
    await entry.client.waitForInitialization();
  } catch (err) {
    entry.logger.error(`flags could not be loaded: ${(err as Error).message}`);
  } finally {
    entry.loader.next = undefined;
    entry.refreshingUntil = 0;
    // A failure with flags held waits out the TTL, as in the engine; a cold failure retries at once.
    if (entry.client.initialized()) entry.checkedAt = Date.now();
  }
}

/** Resolves after `ms` on this request's own timer. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The isolate's client for these settings, with flags loaded or refreshed as needed by this
 * request. Hand `client.flush()` to `ctx.waitUntil` when done (`withLaunchDarkly` does).
 */
export async function getLDClient(settings: LDWorkerSettings, ctx: WaitUntilContext): Promise<LDClient> {
  const entry = entryFor(settings);
  const { client } = entry;
  const timeoutMs = Math.max(0, (settings.timeout ?? 5) * 1000);
  const deadline = Date.now() + timeoutMs;
  if (Date.now() - entry.checkedAt < entry.ttlMs) return client;
  if (Date.now() < entry.refreshingUntil) {
    if (client.initialized()) return client;
    // Cold, and another request is loading: watch for its result on this request's own timers
    // (never on its promise), until it should have finished or this request's time is up.
    for (let pause = 1; !client.initialized() && Date.now() < Math.min(entry.refreshingUntil, deadline); pause = Math.min(pause * 2, 25)) {
      await sleep(pause);
    }
    if (client.initialized() || Date.now() >= deadline) return client;
  }

  entry.refreshingUntil = deadline;
  let read: Promise<AllData | undefined>;
  try {
    read = entry.loader.read();
  } catch (err) {
    read = Promise.reject(err);
  }
  const refresh = read.then(
    (data) => handOver(entry, Promise.resolve(data)),
    (err: unknown) => handOver(entry, Promise.reject(err)),
  );
  // If this request stops waiting, the read still completes and updates the client.
  ctx.waitUntil(refresh);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now()));
  });
  if (await Promise.race([refresh.then(() => false), timedOut])) {
    entry.logger.warn(`flags were not loaded within ${timeoutMs / 1000} s; evaluating with the flags held, or defaults`);
  }
  clearTimeout(timer);
  return client;
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
