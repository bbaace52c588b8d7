/**
 * The client: holds one data set, keeps it current the way its configuration says, and evaluates
 * synchronously over it.
 */
// First, out of order: bundlers place modules in import order, and flag preparation (pulled in by
// DataSet) then sits just before the evaluator that walks what it builds, which gzips smaller.
import { DataSet, type HeldData } from './data/dataSet.js';
import { buildAllFlagsState, LDFlagsState, type LDFlagsStateOptions } from './allFlagsState.js';
import { makeConfig, type Config } from './validateOptions.js';
import { secureModeHash } from './crypto/hmac.js';
import { isContextError, toContext, type Context } from './context.js';
import { kvLoader } from './data/kvLoader.js';
import { parseAllData } from './data/parseAllData.js';
import { persistentStoreLoader } from './data/persistentStore.js';
import { PollingLoader } from './data/pollLoader.js';
import type { LongLivedParts } from './data/longLived.js';
import type { StoreView } from './data/storeView.js';
import type { DataLoader, LDDataSource } from './data/types.js';
import { Evaluator, errorResult, type EvalResult, type FlagEvaluator } from './evaluation/evaluator.js';
import { EventProcessor } from './events/processor.js';
import { HookRunner } from './hooks.js';
import type { LDLogger } from './logging.js';
import type { LDOptions } from './options.js';
import { timedOut } from './timers.js';
import { describeError, loadError, type LDLoadError } from './util/errors.js';
import type { LDContext, LDErrorKind, LDEvaluationDetail, LDFlagValue } from './apiTypes.js';
import type { AllData } from './wire.js';

/** The value types of the typed calls; `undefined` means any JSON value. */
type ValueType = 'boolean' | 'number' | 'string' | undefined;

/** Where the client's flags come from. */
export type LDDataSourceName =
  | 'payload'
  | 'poll'
  | 'kv'
  | 'store'
  | 'stream'
  | 'polling'
  | 'custom'
  | 'offline';

/** What the client knows about the freshness of its flags. */
export interface LDDataStatus {
  readonly source: LDDataSourceName;
  /** When the flags held were last loaded or confirmed unchanged (epoch ms); undefined before. */
  readonly loadedAt: number | undefined;
  /** The last load or refresh failure, cleared by the next success. */
  readonly lastError: string | undefined;
}

export interface LDWaitOptions {
  /** Seconds to wait before rejecting; default 5. */
  timeout?: number;
}

const NOT_LOADED = 'flag data is not loaded yet';

/**
 * What the runtime adapters build on beyond a client's public methods, so that they keep no
 * second copy of its state. Reached through `adapterApi.ts` only.
 */
export type ClientInternals = [
  /** The logger the client's configuration chose. */
  logger: LDLogger,
  /** The on-demand loader (a poll, a KV entry, a store), when the client has one. */
  loader: DataLoader | undefined,
  /** Whether the flags held need no load: younger than `cacheTtl`, or kept current without a loader. */
  fresh: () => boolean,
  /**
   * `waitForInitialization()`, except that a load it needs takes `read` instead of starting one.
   * For a client with a loader.
   */
  wait: (read: Promise<AllData | undefined>) => Promise<unknown>,
];

/** Set by `LDClient`'s static block, which alone can read its private fields. */
export let clientInternals: (client: LDClient) => ClientInternals;

// Internals are ES private fields: unlike `private` properties, minifiers can shorten them.
export class LDClient {
  readonly #config: Config;
  readonly #logger: LDLogger;
  #data: HeldData | undefined;
  #evaluator: FlagEvaluator | undefined;
  readonly #source: LDDataSourceName;
  readonly #loader: DataLoader | undefined;
  readonly #background: LDDataSource | undefined;
  #backgroundStarted: Promise<void> | undefined;
  /** `featureStore` read item by item, on long-lived hosts: the data evaluated, and what loads write to. */
  readonly #view: StoreView | undefined;
  #inFlight: Promise<void> | undefined;
  #inFlightSince = 0;
  /** How many loads were started, and the number (1-based) of the latest whose data is held. */
  #loadsStarted = 0;
  #loadHeld = 0;
  #loadedAt: number | undefined;
  /** When the loader was last tried, successful or not: failures also wait out the TTL. */
  #checkedAt: number | undefined;
  #lastError: string | undefined;
  #closed = false;
  /** Absent when events are off: the evaluation path then does no event work at all. */
  readonly #events: EventProcessor | undefined;
  /** Absent without hooks: evaluations then skip hook work entirely. */
  readonly #hooks: HookRunner | undefined;
  /** The LaunchDarkly environment of the flags held, when the service said. */
  #environmentId: string | undefined;

  /**
   * @param longLived streaming, the polling loop and persistent-store write-through, for long-lived
   * processes; the edge entry points leave them out to keep their bundles small.
   */
  constructor(sdkKey: string, options: LDOptions = {}, longLived?: LongLivedParts) {
    const config = (this.#config = makeConfig(sdkKey, options));
    const logger = (this.#logger = config.logger);
    const { dataSource, kvStore, featureStore } = config;
    const needsLongLived = '"ldedge" or "ldedge/node"';
    let background: ReturnType<LongLivedParts['background']>;
    const view = (this.#view =
      featureStore &&
      longLived?.storeView(featureStore, config, (error) => {
        this.#lastError = error;
      }));

    // Offline wins over every source, a payload too, as in LaunchDarkly's SDKs: evaluations give
    // their defaults (reason CLIENT_NOT_READY) over an empty data set, so waiting resolves at once.
    if (config.offline) {
      this.#source = 'offline';
      this.#setData(DataSet.empty());
    } else if (config.payload !== undefined) {
      this.#source = 'payload';
      try {
        this.#setData(DataSet.from(parseAllData(config.payload, 'option "payload"'), logger));
      } catch (err) {
        logger.error((this.#lastError = (err as Error).message));
      }
      // The configuration outlives the constructor; the payload string need not: its parse is what is kept.
      (config as { payload?: unknown }).payload = undefined;
    } else if (dataSource !== undefined) {
      this.#source = 'custom';
      if (typeof (dataSource as DataLoader).load === 'function') this.#loader = dataSource as DataLoader;
      else this.#background = dataSource as LDDataSource;
    } else if (kvStore !== undefined) {
      this.#source = 'kv';
      this.#loader = kvLoader(kvStore, config.kvKey!);
    } else if (config.useLdd) {
      this.#source = 'store';
      // Over a view, evaluations may start at once (items are read as used), as in LaunchDarkly's
      // SDKs; waiting for initialization reads every item.
      if (view) this.#setData(view);
      this.#loader = view?.loader ?? persistentStoreLoader(featureStore!);
    } else if ((background = longLived?.background(config))) {
      [this.#source, this.#background] = background;
    } else {
      if (config.stream || config.pollIntervalMs !== undefined) {
        logger.warn(`options "stream" and "pollInterval" need ${needsLongLived}; polling on demand instead`);
      }
      this.#source = 'poll';
      this.#loader = new PollingLoader(config);
    }

    if (featureStore !== undefined && !config.useLdd && !view) {
      logger.warn(`option "featureStore" is read only with "useLdd" here; writing needs ${needsLongLived}`);
    }

    if (config.hooks.length > 0) this.#hooks = new HookRunner(config.hooks, logger);

    if (config.sendEvents) this.#events = new EventProcessor(config);

    if (this.#background) {
      // Background sources (never chosen offline) start right away.
      const started = (this.#backgroundStarted = this.#background.start({
        init: (data, environmentId) => this.#loaded(data, environmentId),
        upsert: (kind, key, item) => {
          if (this.#data === undefined) this.#setData(view ?? DataSet.empty());
          this.#data!.upsert(kind, key, item);
        },
      }));
      started.catch((err: Error) => {
        this.#lastError = err.message;
      });
    }
  }

  /**
   * Resolves once flag data is loaded. For on-demand sources (a poll, a KV entry, a store) this is
   * also when data older than `cacheTtl` is refreshed: concurrent calls share one load, and a
   * failed refresh keeps the data held. Rejects when there is no data within `timeout` seconds.
   * @param options `timeout`: seconds to wait, default 5
   * @returns the client, once flags are loaded
   * @example await client.waitForInitialization({ timeout: 2 });
   */
  async waitForInitialization(options: LDWaitOptions = {}): Promise<this> {
    const seconds = Math.max(0, options.timeout ?? 5);
    if (await timedOut(this.#ensureFresh(), seconds * 1000)) {
      const slow = `flag data was not loaded within ${seconds} s (source: ${this.#source})`;
      // A slow reload keeps the flags held, as a failed one does.
      if (this.#loadedAt === undefined) throw loadError(slow, 'TIMEOUT');
      this.#logger.warn(`${slow}; keeping the flags loaded before`);
    }
    return this;
  }

  /** True when the client was made with `offline: true`: it makes no requests and evaluates to defaults. */
  isOffline(): boolean {
    return this.#source === 'offline';
  }

  /** True once flag data has been loaded. */
  initialized(): boolean {
    return this.#data !== undefined;
  }

  /** Where the flags come from, when they were loaded, and the last failure. */
  dataStatus(): LDDataStatus {
    return { source: this.#source, loadedAt: this.#loadedAt, lastError: this.#lastError };
  }

  // Inside the class, where its private fields can be read, for the runtime adapters.
  static {
    // A tuple rather than an object: its names cost the edge bundles nothing.
    clientInternals = (client) => [
      client.#logger,
      client.#loader,
      () => client.#fresh(),
      // The load this starts is the one waitForInitialization then joins.
      (read) => (client.#ensureFresh(read), client.waitForInitialization()),
    ];
  }

  /**
   * Every flag's value for one context, for bootstrapping a client-side SDK: `toJSON()` gives
   * LaunchDarkly's bootstrap format. `$valid` is false before data is loaded or for an invalid context.
   * @param context the context to evaluate every flag for
   * @param options `clientSideOnly`, `withReasons`, `detailsOnlyForTrackedFlags`
   * @returns the state; `toJSON()` is the bootstrap object
   * @example const bootstrap = client.allFlagsState(context, { clientSideOnly: true }).toJSON();
   */
  allFlagsState(context: LDContext, options: LDFlagsStateOptions = {}): LDFlagsState {
    const data = this.#data;
    if (!data) this.#logger.warn(`allFlagsState: ${NOT_LOADED}; returning an invalid state`);
    const valid = data && !this.isOffline() && this.#context(context, 'allFlagsState');
    return valid ? buildAllFlagsState(data!, this.#evaluator!, valid, options) : new LDFlagsState(false);
  }

  /**
   * The hash a client-side SDK sends in secure mode: HMAC-SHA256 of the context's canonical key
   * keyed with the SDK key, as hex. Resolves to undefined for an invalid context.
   * @param context the context the client-side SDK identifies
   * @returns the hash as lower-case hex
   * @example const hash = await client.secureModeHash({ kind: 'user', key: 'u-1' });
   */
  async secureModeHash(context: LDContext): Promise<string | undefined> {
    const valid = this.#context(context, 'secureModeHash');
    return valid && secureModeHash(this.#config.sdkKey, valid.canonicalKey);
  }

  /**
   * Records a custom event, e.g. a conversion for an experiment metric. `metricValue` is the
   * numeric value of a numeric metric.
   * @param key the event key, as the metric names it
   * @param context the context that did it
   * @param data any JSON value to send with the event
   * @param metricValue the value for a numeric metric
   * @example client.track('checkout-completed', context, undefined, 42.5);
   */
  track(key: string, context: LDContext, data?: LDFlagValue, metricValue?: number): void {
    const valid = this.#context(context, `track "${key}"`);
    if (!valid) return;
    if (!key || typeof key !== 'string') {
      this.#logger.warn(`track: the event key must be a non-empty string, got ${JSON.stringify(key)}`);
      return;
    }
    if (metricValue !== undefined && !Number.isFinite(metricValue)) {
      this.#logger.warn(`track "${key}": metricValue must be a finite number; it is ignored`);
      metricValue = undefined;
    }
    this.#events?.recordCustom(key, valid, data, metricValue);
    this.#hooks?.track({ key, context, data, metricValue, environmentId: this.#environmentId });
  }

  /** Reports a context to LaunchDarkly, so it appears on the Contexts page. */
  identify(context: LDContext): void {
    const valid = this.#context(context, 'identify');
    if (valid !== undefined) this.#events?.recordIdentify(valid);
  }

  /**
   * Sends the analytics events held. Settles when they are delivered or given up (a failure is
   * logged, never thrown); hand it to `waitUntil` in serverless hosts.
   */
  flush(): Promise<void> {
    return this.#events?.flush() ?? Promise.resolve();
  }

  /**
   * With `featureStore` on a long-lived host: reads from the store what evaluating `flagKey`
   * needs (the flag, its prerequisites, their segments) when not cached within `cacheTtl`, or
   * everything without a key. Elsewhere it resolves at once. Never rejects.
   */
  async prefetch(flagKey?: string): Promise<void> {
    await this.#view?.prefetch(flagKey);
  }

  /** Events dropped: the queue was at `capacity`, or an event's context could not be read or serialized. */
  droppedEvents(): number {
    return this.#events?.droppedEvents ?? 0;
  }

  /** Flushes events and stops whatever the client started: the stream or polling loop. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#background?.close();
    await this.#events?.close();
  }

  // --- data ---------------------------------------------------------------------------------

  /** Whether the flags held need no load: younger than `cacheTtl`, or kept current without a loader. */
  #fresh(): boolean {
    return this.#data !== undefined && (this.#loader === undefined || Date.now() - this.#checkedAt! < this.#config.cacheTtlMs);
  }

  #ensureFresh(read?: Promise<AllData | undefined>): Promise<void> {
    const loader = this.#loader;
    if (this.#fresh()) return Promise.resolve();
    if (!loader) {
      // Without a loader or a background source, the only way to have no data is a payload
      // that could not be read, and that left its error.
      return this.#backgroundStarted ?? Promise.reject(loadError(this.#lastError!, 'INVALID_DATA'));
    }
    // A load that outlived every timeout will never settle: hosts such as workerd cancel the I/O
    // of a request that has ended. Start afresh rather than wait on it forever.
    const { http } = this.#config;
    const now = Date.now();
    if (this.#inFlight === undefined || now - this.#inFlightSince > http.connectTimeoutMs + http.readTimeoutMs) {
      const load: Promise<void> = this.#refresh(loader, read).finally(() => {
        if (this.#inFlight === load) this.#inFlight = undefined;
      });
      this.#inFlight = load;
      this.#inFlightSince = now;
    }
    return this.#inFlight!;
  }

  async #refresh(loader: DataLoader, read?: Promise<AllData | undefined>): Promise<void> {
    const load = ++this.#loadsStarted;
    try {
      const data = await (read ?? loader.load());
      // A load abandoned for a newer one may settle after it: what it read is older than the data held.
      if (load < this.#loadHeld) return;
      this.#loadHeld = load;
      this.#loaded(data, loader.environmentId);
    } catch (err) {
      this.#checkedAt = Date.now();
      const failure = err as LDLoadError;
      const message = (this.#lastError = `${loader.name} load failed: ${describeError(err)}`);
      // Nothing loaded yet fails, coded as what failed; a daemon-mode view is held from the start, but not loaded.
      if (this.#loadedAt === undefined) throw loadError(message, failure.code, err, failure.status);
      const age = Math.round((this.#checkedAt - this.#loadedAt!) / 1000);
      this.#logger.warn(`${message}; keeping the flags loaded before (age ${age} s)`);
    }
  }

  /** A full data set arrived, or (undefined) the one held was confirmed unchanged. */
  #loaded(data: AllData | undefined, environmentId: string | undefined): void {
    // Over a store view, the data goes into (and through) it.
    if (data) this.#setData(this.#view?.init(data) ?? DataSet.from(data, this.#logger));
    this.#environmentId = environmentId ?? this.#environmentId;
    this.#loadedAt = this.#checkedAt = Date.now();
    this.#lastError = undefined;
  }

  #setData(data: HeldData): void {
    this.#data = data;
    // Big segments bring their own evaluator, so the engine's costs nothing without them.
    this.#evaluator = this.#config.bigSegments?.evaluator(data) ?? new Evaluator(data);
  }

  // --- evaluation ---------------------------------------------------------------------------

  // The ten evaluation calls differ only in the value type they check, whether they return the
  // reason, and the method name hooks see, so each is one call into `#evaluate`. Each gives
  // `defaultValue` when the flag cannot be evaluated, and the typed ones also when the flag's value
  // is not of their type (reason `WRONG_TYPE`).

  /**
   * The flag's value for `context`: any JSON value.
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue returned when the flag cannot be evaluated
   * @returns the flag's value, or `defaultValue`
   * @example const value = client.variation('banner-text', { kind: 'user', key: 'u-1' }, 'Welcome');
   */
  variation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.#evaluate(key, context, defaultValue, 'variation').value;
  }

  /**
   * Like `variation`, with the variation index and the reason (which analytics events then record).
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue the value when the flag cannot be evaluated
   * @returns `{ value, variationIndex, reason }`; no `variationIndex` when `defaultValue` was used
   * @example const { value, reason } = client.variationDetail('banner-text', { kind: 'user', key: 'u-1' }, 'Welcome');
   */
  variationDetail(key: string, context: LDContext, defaultValue: LDFlagValue): LDEvaluationDetail<LDFlagValue> {
    return this.#evaluate(key, context, defaultValue, 'variationDetail', undefined, true);
  }

  /**
   * The flag's value for `context`: a boolean.
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue returned when the flag cannot be evaluated, or when the flag's value is not a boolean (reason `WRONG_TYPE`)
   * @returns the flag's value, or `defaultValue`
   * @example const value = client.boolVariation('new-checkout', { kind: 'user', key: 'u-1' }, false);
   */
  boolVariation(key: string, context: LDContext, defaultValue: boolean): boolean {
    return this.#evaluate(key, context, defaultValue, 'boolVariation', 'boolean').value;
  }

  /**
   * Like `boolVariation`, with the variation index and the reason (which analytics events then record).
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue the value when the flag cannot be evaluated, or when the flag's value is not a boolean (reason `WRONG_TYPE`)
   * @returns `{ value, variationIndex, reason }`; no `variationIndex` when `defaultValue` was used
   * @example const { value, reason } = client.boolVariationDetail('new-checkout', { kind: 'user', key: 'u-1' }, false);
   */
  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetail<boolean> {
    return this.#evaluate(key, context, defaultValue, 'boolVariationDetail', 'boolean', true);
  }

  /**
   * The flag's value for `context`: a number.
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue returned when the flag cannot be evaluated, or when the flag's value is not a number (reason `WRONG_TYPE`)
   * @returns the flag's value, or `defaultValue`
   * @example const value = client.numberVariation('max-upload-mb', { kind: 'user', key: 'u-1' }, 10);
   */
  numberVariation(key: string, context: LDContext, defaultValue: number): number {
    return this.#evaluate(key, context, defaultValue, 'numberVariation', 'number').value;
  }

  /**
   * Like `numberVariation`, with the variation index and the reason (which analytics events then record).
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue the value when the flag cannot be evaluated, or when the flag's value is not a number (reason `WRONG_TYPE`)
   * @returns `{ value, variationIndex, reason }`; no `variationIndex` when `defaultValue` was used
   * @example const { value, reason } = client.numberVariationDetail('max-upload-mb', { kind: 'user', key: 'u-1' }, 10);
   */
  numberVariationDetail(key: string, context: LDContext, defaultValue: number): LDEvaluationDetail<number> {
    return this.#evaluate(key, context, defaultValue, 'numberVariationDetail', 'number', true);
  }

  /**
   * The flag's value for `context`: a string.
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue returned when the flag cannot be evaluated, or when the flag's value is not a string (reason `WRONG_TYPE`)
   * @returns the flag's value, or `defaultValue`
   * @example const value = client.stringVariation('banner-text', { kind: 'user', key: 'u-1' }, 'Welcome');
   */
  stringVariation(key: string, context: LDContext, defaultValue: string): string {
    return this.#evaluate(key, context, defaultValue, 'stringVariation', 'string').value;
  }

  /**
   * Like `stringVariation`, with the variation index and the reason (which analytics events then record).
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue the value when the flag cannot be evaluated, or when the flag's value is not a string (reason `WRONG_TYPE`)
   * @returns `{ value, variationIndex, reason }`; no `variationIndex` when `defaultValue` was used
   * @example const { value, reason } = client.stringVariationDetail('banner-text', { kind: 'user', key: 'u-1' }, 'Welcome');
   */
  stringVariationDetail(key: string, context: LDContext, defaultValue: string): LDEvaluationDetail<string> {
    return this.#evaluate(key, context, defaultValue, 'stringVariationDetail', 'string', true);
  }

  /**
   * The flag's value for `context`: any JSON value.
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue returned when the flag cannot be evaluated
   * @returns the flag's value, or `defaultValue`
   * @example const value = client.jsonVariation('limits', { kind: 'user', key: 'u-1' }, { uploads: 10 });
   */
  jsonVariation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.#evaluate(key, context, defaultValue, 'jsonVariation').value;
  }

  /**
   * Like `jsonVariation`, with the variation index and the reason (which analytics events then record).
   * @param key the flag key
   * @param context the context (or older user object) to evaluate for
   * @param defaultValue the value when the flag cannot be evaluated
   * @returns `{ value, variationIndex, reason }`; no `variationIndex` when `defaultValue` was used
   * @example const { value, reason } = client.jsonVariationDetail('limits', { kind: 'user', key: 'u-1' }, { uploads: 10 });
   */
  jsonVariationDetail(key: string, context: LDContext, defaultValue: LDFlagValue): LDEvaluationDetail<LDFlagValue> {
    return this.#evaluate(key, context, defaultValue, 'jsonVariationDetail', undefined, true);
  }

  /**
   * One evaluation. `method` names the public call for hooks; with hooks configured, the
   * evaluation runs inside their series (and is re-entered with no name).
   */
  #evaluate<T extends LDFlagValue>(
    key: string,
    input: LDContext,
    defaultValue: T,
    method: string,
    type?: ValueType,
    withReason = false,
  ): LDEvaluationDetail<T> {
    if (this.#hooks && method) {
      const series = {
        flagKey: key,
        context: input,
        defaultValue,
        method: `LDClient.${method}`,
        environmentId: this.#environmentId,
      };
      // The series returns the detail it was handed.
      const detail = this.#hooks.evaluation(series, () =>
        this.#evaluate(key, input, defaultValue, '', type, withReason),
      );
      return detail as LDEvaluationDetail<T>;
    }
    const context = this.#context(input, 'flag', key);
    let evaluated = context ? this.#evaluateFor(key, context) : errorResult('USER_NOT_SPECIFIED');
    const value = evaluated.value;
    if (type && value !== null && typeof value !== type) {
      evaluated = errorResult('WRONG_TYPE', evaluated.flag);
    }
    if (context) this.#events?.recordEvaluation(key, context, evaluated, defaultValue, withReason);
    const missed = evaluated.value === null;
    return {
      // Of type T: a typed call's value of another type was made a miss above.
      value: missed ? defaultValue : (evaluated.value as T),
      variationIndex: missed ? undefined : evaluated.variationIndex,
      reason: evaluated.reason,
    };
  }

  #evaluateFor(key: string, context: Context): EvalResult {
    const data = this.#data;
    if (!data) return this.#fail('CLIENT_NOT_READY', key, NOT_LOADED);
    let flag;
    try {
      flag = data.flag(key);
    } catch (err) {
      // Preparing a flag throws only MalformedFlagError.
      this.#logger.error(`flag "${key}" is malformed: ${(err as Error).message}`);
      return errorResult('MALFORMED_FLAG');
    }
    if (!flag) return this.#fail('FLAG_NOT_FOUND', key, 'unknown flag');
    // Prerequisites count in events too: their results come back on this one.
    const evaluated = this.#evaluator!.evaluate(flag, context, this.#events !== undefined);
    if (evaluated.reason.kind === 'ERROR') {
      this.#logger.error(`flag "${key}" could not be evaluated: ${evaluated.reason.errorKind}`);
    }
    return evaluated;
  }

  /** The context, or undefined (with a warning naming the call) when it is invalid. */
  #context(input: LDContext, what: string, key?: string): Context | undefined {
    const context = toContext(input);
    if (!isContextError(context)) return context;
    this.#logger.warn(`${what}${key === undefined ? '' : ` "${key}"`}: invalid context: ${context}`);
    return undefined;
  }

  #fail(kind: LDErrorKind, key: string, why: string): EvalResult {
    // Offline, the data set is empty, so every flag ends here.
    if (this.isOffline()) kind = 'CLIENT_NOT_READY';
    else this.#logger.warn(`flag "${key}": ${why}; returning the default`);
    return errorResult(kind);
  }
}
