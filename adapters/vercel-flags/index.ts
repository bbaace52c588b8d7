/**
 * ldedge/vercel-flags: an adapter for Vercel's Flags SDK (`flags`), over an ldedge client.
 *
 *   const ld = createLaunchDarklyAdapter({ client, identify });
 *   export const newCheckout = flag<boolean>({ key: 'new-checkout', adapter: ld.variation(), defaultValue: false });
 *
 * Per request, the flags are loaded (or refreshed past `cacheTtl`) once, whatever the number of
 * flags decided, and each flag is then evaluated synchronously. `evaluate()` and `precompute()`
 * decide all of a request's flags in one batch. Events leave through `waitUntil` after the
 * request's flags are decided. The Flags SDK itself applies Flags Explorer's override cookie
 * (`vercel-flag-overrides`, needing `FLAGS_SECRET`) before asking the adapter.
 */
import type { Adapter, Identify, Origin, ReadonlyHeaders } from 'flags';
import { basicLogger, type LDClient, type LDContext, type LDFlagValue, type LDLogger } from '../../src/lean.js';
import { findWaitUntil, type WaitUntil } from '../../runtimes/vercel/index.js';

export interface LaunchDarklyAdapterOptions {
  /** The client, e.g. `init(sdkKey, { edgeConfig, clientSideId })` from "ldedge/vercel". */
  client: LDClient;
  /** The LaunchDarkly context of a request, for flags that declare no `identify` of their own. */
  identify?: Identify<LDContext>;
  /** Seconds a request waits for flags before they are decided with their defaults; default 5. */
  timeout?: number;
  /** Used when Vercel's request context offers no `waitUntil` (outside Vercel, say). */
  waitUntil?: WaitUntil;
  /** Where Flags Explorer links a flag to, e.g. its page in LaunchDarkly. */
  origin?: Origin | string | ((key: string) => Origin | string | undefined);
  /** For a failed load; default a basic logger at "warn". */
  logger?: LDLogger;
}

export interface LaunchDarklyAdapter {
  /** An adapter for `flag({ adapter })` whose value is the flag's variation for the request's context. */
  variation<ValueType extends LDFlagValue = boolean>(): Adapter<ValueType, LDContext>;
  readonly client: LDClient;
}

/** What one request has done: its load, and whether a flush of its events is scheduled. */
interface RequestState {
  ready: Promise<void>;
  flushScheduled: boolean;
}

type Flag = { key: string; defaultValue?: unknown };

export function createLaunchDarklyAdapter(options: LaunchDarklyAdapterOptions): LaunchDarklyAdapter {
  const { client, identify, origin } = options;
  if (typeof client?.variation !== 'function') {
    throw new TypeError('createLaunchDarklyAdapter: option "client" must be an ldedge client (from init())');
  }
  if (identify !== undefined && typeof identify !== 'function') {
    throw new TypeError('createLaunchDarklyAdapter: option "identify" must be a function returning a LaunchDarkly context');
  }
  const logger = options.logger ?? basicLogger('warn');
  // The Flags SDK hands every flag of a request the same sealed headers object.
  const requests = new WeakMap<ReadonlyHeaders, RequestState>();
  // Adapters sharing an id (and identify) are decided together by `evaluate()` and `precompute()`.
  const adapterId = Symbol('ldedge');

  function request(headers: ReadonlyHeaders): RequestState {
    let state = requests.get(headers);
    if (state === undefined) {
      const ready = client.waitForInitialization({ timeout: options.timeout }).then(
        () => {},
        (err: Error) => logger.warn(`flags are not loaded (${err.message}); deciding with defaults`),
      );
      requests.set(headers, (state = { ready, flushScheduled: false }));
    }
    return state;
  }

  /** After this turn's decisions, one flush for all of them, kept alive by `waitUntil`. */
  function scheduleFlush(state: RequestState): void {
    if (state.flushScheduled) return;
    state.flushScheduled = true;
    const flushing = new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
      state.flushScheduled = false;
      return client.flush();
    });
    const waitUntil = findWaitUntil(undefined, options.waitUntil);
    try {
      waitUntil?.(flushing);
    } catch {
      // A host may refuse once its response is complete; the flush runs anyway.
    }
  }

  /** One flag, synchronously, by the type of its default value. */
  function decideOne(key: string, context: LDContext | undefined, defaultValue: unknown): LDFlagValue | undefined {
    if (context === undefined) {
      throw new Error(`flag "${key}": no LaunchDarkly context; give the flag or the adapter an "identify" function`);
    }
    const fallback = (defaultValue ?? null) as LDFlagValue;
    let value: LDFlagValue;
    if (typeof fallback === 'boolean') value = client.boolVariation(key, context, fallback);
    else if (typeof fallback === 'number') value = client.numberVariation(key, context, fallback);
    else if (typeof fallback === 'string') value = client.stringVariation(key, context, fallback);
    else value = client.variation(key, context, fallback);
    // No value and no default: the Flags SDK then reports the flag as undecidable.
    return value === null && defaultValue === undefined ? undefined : value;
  }

  return {
    client,
    variation<ValueType extends LDFlagValue>(): Adapter<ValueType, LDContext> {
      return {
        adapterId,
        identify,
        origin,
        async decide({ key, entities, headers, defaultValue }) {
          const state = request(headers);
          await state.ready;
          try {
            return decideOne(key, entities, defaultValue) as ValueType;
          } finally {
            scheduleFlush(state);
          }
        },
        async bulkDecide({ flags, entities, headers }: { flags: Flag[]; entities?: LDContext; headers: ReadonlyHeaders }) {
          const state = request(headers);
          await state.ready;
          try {
            const values: Record<string, ValueType> = {};
            for (const { key, defaultValue } of flags) {
              const value = decideOne(key, entities, defaultValue);
              if (value !== undefined) values[key] = value as ValueType;
            }
            return values;
          } finally {
            scheduleFlush(state);
          }
        },
      };
    },
  };
}
