/**
 * AWS Lambda: a handler wrapper. The client lives in module scope, so warm invocations reuse its
 * flags; it loads on the first invocation of an execution environment and again once its flags
 * are older than `cacheTtl`. Events are flushed before each invocation's promise settles, because
 * Lambda freezes the environment as soon as it does.
 *
 * Built on the lean engine entry: streaming and the polling loop hold connections and timers,
 * which a frozen environment cannot keep, so they are left out (asking for them logs a warning).
 */
import { storeViewFor, timedOut } from '../../src/adapterApi.js';
import { basicLogger, LDClient, type LDLogger, type LDOptions } from '../../src/lean.js';
import { proxyFor } from '../node/proxy.js';
import { withFreshFlags } from '../shared/handler.js';

export * from '../../src/lean.js';
export { InMemoryPersistentStore, TestData } from '../../src/adapterApi.js';

/** The part of Lambda's context object the wrapper uses; the real one has more. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

export interface LambdaOptions extends LDOptions {
  sdkKey: string;
  /** Seconds to wait for flags before running the handler anyway (evaluations then give defaults). Default 2. */
  initTimeout?: number;
  /** Most seconds to wait for event delivery before returning. Default 2. */
  flushTimeout?: number;
  /** Seconds of the invocation's remaining time that the waits leave alone. Default 0.5. */
  timeoutMargin?: number;
  /**
   * A web proxy for every request, as in `ldedge/node`; `false` ignores the environment. Unset:
   * `HTTPS_PROXY` / `HTTP_PROXY` (lower case too), less the hosts in `NO_PROXY`.
   */
  proxy?: string | false;
}

/** A handler that also gets the client. */
export type LDLambdaHandler<E, C, R> = (event: E, context: C, ld: LDClient) => R | Promise<R>;

const DEFAULTS = { initTimeout: 2, flushTimeout: 2, timeoutMargin: 0.5 } as const;

function seconds(name: keyof typeof DEFAULTS, value: unknown, logger: LDLogger): number {
  if (value === undefined) return DEFAULTS[name];
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  logger.warn(`option "${name}" must be a number of seconds, at least 0; using ${DEFAULTS[name]}`);
  return DEFAULTS[name];
}

/** Milliseconds left in the invocation, less the margin; unbounded where there is no deadline. */
function budget(context: LambdaContext | undefined, marginMs: number): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - marginMs : Infinity;
}

/**
 * Waits for `flush()` at most `limitMs`. When the limit is hit the delivery is left in flight:
 * it may finish when this environment is next thawed, or be lost.
 */
async function flushWithin(client: LDClient, limitMs: number, logger: LDLogger): Promise<void> {
  const flushing = client.flush();
  if (limitMs <= 0) {
    logger.warn('no time left in this invocation to wait for analytics events; returning without waiting');
    return;
  }
  // The timer is cleared either way: nothing of ours may stay scheduled once the invocation returns.
  if (await timedOut(flushing, limitMs)) {
    logger.warn(`analytics events were not delivered within ${Math.round(limitMs)} ms; returning without waiting`);
  }
}

/**
 * The wrapper's client. Without an SDK key (an unset `LD_SDK_KEY` read as `''`) it is an offline
 * one, after one error line: throwing here would fail the module's import, and so every cold start
 * of the function, where a flag outage should only mean default values.
 */
function makeClient(sdkKey: unknown, options: LDOptions, logger: LDLogger): LDClient {
  // Offline on purpose needs no key.
  if (typeof sdkKey === 'string' && (sdkKey.trim() !== '' || options.offline === true)) {
    // No background sources (they need a process that is not frozen), but a `featureStore` is read
    // item by item, and flags polled from LaunchDarkly are written through it for readers elsewhere.
    return new LDClient(sdkKey, options, { background: () => undefined, storeView: storeViewFor });
  }
  const given = sdkKey === undefined ? 'missing' : typeof sdkKey === 'string' ? 'empty' : `not a string (${typeof sdkKey})`;
  logger.error(
    `option "sdkKey" is ${given} (is LD_SDK_KEY set in the function's environment?): no flags are loaded, ` +
      'no events are sent, and evaluations give their default values',
  );
  return new LDClient('', { logger, hooks: options.hooks, offline: true, sendEvents: false });
}

/**
 * Wraps a Lambda handler: `export const handler = withLaunchDarkly({ sdkKey }, async (event, context, ld) => …)`.
 * Each invocation waits for fresh flags (bounded by `initTimeout` and the time left), runs the
 * handler, then waits for event delivery (bounded by `flushTimeout` and the time left), also when
 * the handler throws. The client is made here, in the module's scope, and shared by every invocation.
 */
export function withLaunchDarkly<E = unknown, C extends LambdaContext = LambdaContext, R = unknown>(
  options: LambdaOptions,
  handler: LDLambdaHandler<E, C, R>,
): (event: E, context: C) => Promise<R> {
  const { sdkKey, initTimeout, flushTimeout, timeoutMargin, proxy, ...engineOptions } = options;
  const logger = engineOptions.logger ?? basicLogger();
  if (engineOptions.flushInterval !== undefined) {
    // A periodic flush would be a timer firing in a frozen environment; invocations flush instead.
    logger.warn('option "flushInterval" is ignored in Lambda: events are flushed before each invocation returns');
    delete engineOptions.flushInterval;
  }
  const initMs = seconds('initTimeout', initTimeout, logger) * 1000;
  const flushMs = seconds('flushTimeout', flushTimeout, logger) * 1000;
  const marginMs = seconds('timeoutMargin', timeoutMargin, logger) * 1000;
  // The proxy's connections stay open for the environment's next invocations, as the client does.
  const proxies = proxyFor(proxy, engineOptions.fetch, logger, process.env);
  if (proxies !== undefined) engineOptions.fetch = proxies.fetch;
  const client = makeClient(sdkKey, engineOptions, logger);

  return (event: E, context: C): Promise<R> =>
    withFreshFlags(
      client,
      { timeout: Math.max(0, Math.min(initMs, budget(context, marginMs))) / 1000 },
      () => handler(event, context, client),
      () => flushWithin(client, Math.min(flushMs, budget(context, marginMs)), logger),
      // The handler still runs: evaluations give defaults (or the flags held before).
      (message) => logger.error(`flags are not loaded: ${message}`),
    );
}
