/**
 * The client: holds one data set, keeps it current the way its configuration says, and evaluates
 * synchronously over it.
 */
import { buildAllFlagsState, invalidFlagsState, type LDFlagsState, type LDFlagsStateOptions } from './allFlagsState.js';
import { makeConfig, type Config } from './config.js';
import { secureModeHash } from './crypto/hmac.js';
import { isContextError, toContext, type Context } from './context.js';
import { DataSet } from './data/dataSet.js';
import { KVLoader } from './data/kv.js';
import { PersistentStoreLoader } from './data/persistentStore.js';
import { PollingLoader } from './data/poll.js';
import type { BackgroundSources, DataKind, DataLoader, DataSourceUpdates, LDDataSource } from './data/types.js';
import { Evaluator, errorResult, type EvalResult, type PrerequisiteListener } from './evaluation/evaluator.js';
import { EventProcessor } from './events/processor.js';
import { HookRunner } from './hooks.js';
import { MalformedFlagError } from './evaluation/errors.js';
import type { PreparedFlag } from './evaluation/prepare.js';
import type { LDLogger } from './logging.js';
import type { LDOptions } from './options.js';
import type { LDContext, LDErrorKind, LDEvaluationDetail, LDFlagValue } from './types.js';
import type { AllData, FlagData, SegmentData } from './wire.js';

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

function isLoader(source: LDDataSource | DataLoader): source is DataLoader {
  return typeof (source as DataLoader).load === 'function';
}

export class LDClient {
  protected readonly config: Config;
  protected readonly logger: LDLogger;
  private data: DataSet | undefined;
  private evaluator: Evaluator | undefined;
  private readonly source: LDDataSourceName;
  private readonly loader: DataLoader | undefined;
  private readonly background: LDDataSource | undefined;
  private backgroundStarted: Promise<void> | undefined;
  private inFlight: Promise<void> | undefined;
  private inFlightSince = 0;
  private loadedAt: number | undefined;
  /** When the loader was last tried, successful or not: failures also wait out the TTL. */
  private checkedAt: number | undefined;
  private lastError: string | undefined;
  private closed = false;
  /** Absent when events are off: the evaluation path then does no event work at all. */
  private readonly events: EventProcessor | undefined;
  /** The context of the evaluation in progress, for recording its prerequisites. */
  private evaluatingFor: Context | undefined;
  private readonly onPrerequisite: PrerequisiteListener | undefined;
  /** Absent without hooks: evaluations then skip hook work entirely. */
  private readonly hooks: HookRunner | undefined;
  /** The LaunchDarkly environment of the flags held, when the service said. */
  private environmentId: string | undefined;

  /**
   * @param backgroundSources streaming and the polling loop, for long-lived processes; the edge
   * entry points leave them out to keep their bundles small.
   */
  constructor(sdkKey: string, options: LDOptions = {}, backgroundSources?: BackgroundSources) {
    this.config = makeConfig(sdkKey, options);
    this.logger = this.config.logger;
    const config = this.config;

    if (config.payload !== undefined) {
      this.source = 'payload';
      try {
        this.setData(DataSet.fromPayload(config.payload, 'option "payload"'));
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.error(this.lastError);
      }
    } else if (config.offline) {
      this.source = 'offline';
      this.setData(DataSet.empty());
    } else if (config.dataSource !== undefined) {
      this.source = 'custom';
      if (isLoader(config.dataSource)) this.loader = config.dataSource;
      else this.background = config.dataSource;
    } else if (config.kvStore !== undefined) {
      this.source = 'kv';
      this.loader = new KVLoader(config.kvStore, config.kvKey as string);
    } else if (config.useLdd) {
      this.source = 'store';
      this.loader = new PersistentStoreLoader(config.featureStore!);
    } else if (config.stream && backgroundSources !== undefined) {
      this.source = 'stream';
      this.background = backgroundSources.streaming(config);
    } else if (config.pollIntervalMs !== undefined && backgroundSources !== undefined) {
      this.source = 'polling';
      this.background = backgroundSources.polling(config);
    } else {
      if (config.stream || config.pollIntervalMs !== undefined) {
        this.logger.warn(
          'options "stream" and "pollInterval" need a long-lived process and are left out of this entry point ' +
            '(use "ldedge" or "ldedge/node"); flags are polled on demand instead',
        );
      }
      this.source = 'poll';
      this.loader = new PollingLoader(config.http, config.baseUri, config.payloadFilterKey);
    }

    if (config.hooks.length > 0) this.hooks = new HookRunner(config.hooks, this.logger);

    if (config.sendEvents) {
      const events = new EventProcessor(config);
      this.events = events;
      this.onPrerequisite = (result, prerequisiteOf) => {
        const context = this.evaluatingFor;
        if (context !== undefined && result.flag !== undefined) {
          events.recordEvaluation(result.flag.key, context, result, null, false, prerequisiteOf);
        }
      };
    }

    if (this.background !== undefined && !config.offline) {
      // Background sources are opted into by long-lived processes; they start right away.
      this.backgroundStarted = this.background.start(this.updates());
      this.backgroundStarted.catch((err: Error) => {
        this.lastError = err.message;
      });
    }
  }

  /**
   * Resolves once flag data is loaded. For on-demand sources (a poll, a KV entry, a store) this is
   * also when data older than `cacheTtl` is refreshed: concurrent calls share one load, and a
   * failed refresh keeps the data held. Rejects when there is no data within `timeout` seconds.
   */
  async waitForInitialization(options: LDWaitOptions = {}): Promise<this> {
    const timeoutMs = Math.max(0, (options.timeout ?? 5) * 1000);
    const work = this.ensureFresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`flag data was not loaded within ${timeoutMs / 1000} s (source: ${this.source})`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this;
  }

  /** True once flag data has been loaded. */
  initialized(): boolean {
    return this.data !== undefined;
  }

  /** Where the flags come from, when they were loaded, and the last failure. */
  dataStatus(): LDDataStatus {
    return { source: this.source, loadedAt: this.loadedAt, lastError: this.lastError };
  }

  variation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.evaluateDetail(key, context, defaultValue, undefined, false, 'LDClient.variation').value;
  }

  variationDetail(key: string, context: LDContext, defaultValue: LDFlagValue): LDEvaluationDetail<LDFlagValue> {
    return this.evaluateDetail(key, context, defaultValue, undefined, true, 'LDClient.variationDetail');
  }

  boolVariation(key: string, context: LDContext, defaultValue: boolean): boolean {
    return this.evaluateDetail(key, context, defaultValue, 'boolean', false, 'LDClient.boolVariation').value as boolean;
  }

  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetail<boolean> {
    return this.evaluateDetail(key, context, defaultValue, 'boolean', true, 'LDClient.boolVariationDetail') as
      LDEvaluationDetail<boolean>;
  }

  numberVariation(key: string, context: LDContext, defaultValue: number): number {
    return this.evaluateDetail(key, context, defaultValue, 'number', false, 'LDClient.numberVariation').value as number;
  }

  numberVariationDetail(key: string, context: LDContext, defaultValue: number): LDEvaluationDetail<number> {
    return this.evaluateDetail(key, context, defaultValue, 'number', true, 'LDClient.numberVariationDetail') as
      LDEvaluationDetail<number>;
  }

  stringVariation(key: string, context: LDContext, defaultValue: string): string {
    return this.evaluateDetail(key, context, defaultValue, 'string', false, 'LDClient.stringVariation').value as string;
  }

  stringVariationDetail(key: string, context: LDContext, defaultValue: string): LDEvaluationDetail<string> {
    return this.evaluateDetail(key, context, defaultValue, 'string', true, 'LDClient.stringVariationDetail') as
      LDEvaluationDetail<string>;
  }

  jsonVariation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.evaluateDetail(key, context, defaultValue, undefined, false, 'LDClient.jsonVariation').value;
  }

  jsonVariationDetail(key: string, context: LDContext, defaultValue: LDFlagValue): LDEvaluationDetail<LDFlagValue> {
    return this.evaluateDetail(key, context, defaultValue, undefined, true, 'LDClient.jsonVariationDetail');
  }

  /**
   * Every flag's value for one context, for bootstrapping a client-side SDK: `toJSON()` gives
   * LaunchDarkly's bootstrap format. `$valid` is false before data is loaded or for an invalid context.
   */
  allFlagsState(context: LDContext, options: LDFlagsStateOptions = {}): LDFlagsState {
    const data = this.data;
    if (data === undefined) {
      this.logger.warn('allFlagsState called before flag data was loaded; returning an empty state');
      return invalidFlagsState();
    }
    const valid = this.validContext(context, '(all flags)');
    if (valid === undefined) return invalidFlagsState();
    return buildAllFlagsState(data, this.evaluator as Evaluator, valid, options);
  }

  /**
   * The hash a client-side SDK sends in secure mode: HMAC-SHA256 of the context's canonical key
   * keyed with the SDK key, as hex. Resolves to undefined for an invalid context.
   */
  async secureModeHash(context: LDContext): Promise<string | undefined> {
    const valid = this.validContext(context, '(secure mode hash)');
    return valid === undefined ? undefined : secureModeHash(this.config.sdkKey, valid.canonicalKey);
  }

  /**
   * Records a custom event, e.g. a conversion for an experiment metric. `metricValue` is the
   * numeric value of a numeric metric.
   */
  track(key: string, context: LDContext, data?: LDFlagValue, metricValue?: number): void {
    const valid = this.validContext(context, `track "${key}"`);
    if (valid === undefined) return;
    if (typeof key !== 'string' || key === '') {
      this.logger.warn(`track: the event key must be a non-empty string, got ${JSON.stringify(key)}`);
      return;
    }
    if (metricValue !== undefined && (typeof metricValue !== 'number' || !Number.isFinite(metricValue))) {
      this.logger.warn(`track "${key}": metricValue must be a finite number; it is left out`);
      metricValue = undefined;
    }
    this.events?.recordCustom(key, valid, data, metricValue);
    this.hooks?.track({ key, context, data, metricValue, environmentId: this.environmentId });
  }

  /** Reports a context to LaunchDarkly, so it appears on the Contexts page. */
  identify(context: LDContext): void {
    const valid = this.validContext(context, 'identify');
    if (valid !== undefined) this.events?.recordIdentify(valid);
  }

  /**
   * Sends the analytics events held. Settles when they are delivered or given up (a failure is
   * logged, never thrown); hand it to `waitUntil` in serverless hosts.
   */
  flush(): Promise<void> {
    return this.events?.flush() ?? Promise.resolve();
  }

  /** Events dropped because the queue was at `capacity`. */
  droppedEvents(): number {
    return this.events?.droppedEvents ?? 0;
  }

  /** Flushes events and stops whatever the client started: the stream or polling loop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.background?.close();
    await this.events?.close();
  }

  // --- data ---------------------------------------------------------------------------------

  private ensureFresh(): Promise<void> {
    if (this.loader !== undefined) {
      const now = Date.now();
      if (this.data !== undefined && this.checkedAt !== undefined && now - this.checkedAt < this.config.cacheTtlMs) {
        return Promise.resolve();
      }
      // A load that outlived every timeout will never settle: hosts such as workerd cancel the
      // I/O of a request that has ended. Start afresh rather than wait on it forever.
      const limit = this.config.http.connectTimeoutMs + this.config.http.readTimeoutMs;
      if (this.inFlight === undefined || now - this.inFlightSince > limit) {
        const load: Promise<void> = this.refresh(this.loader).finally(() => {
          if (this.inFlight === load) this.inFlight = undefined;
        });
        this.inFlight = load;
        this.inFlightSince = now;
      }
      return this.inFlight;
    }
    if (this.data !== undefined) return Promise.resolve();
    if (this.backgroundStarted !== undefined) return this.backgroundStarted;
    return Promise.reject(new Error(this.lastError ?? 'no flag data source was configured'));
  }

  private async refresh(loader: DataLoader): Promise<void> {
    try {
      const loaded = await loader.load();
      if (loaded !== undefined) this.applyFull(loaded);
      this.environmentId = loader.environmentId ?? this.environmentId;
      this.loadedAt = Date.now();
      this.checkedAt = this.loadedAt;
      this.lastError = undefined;
    } catch (err) {
      const message = `${loader.name} load failed: ${(err as Error).message}`;
      this.checkedAt = Date.now();
      this.lastError = message;
      if (this.data === undefined) throw new Error(message);
      const age = this.loadedAt === undefined ? 'unknown' : `${Math.round((Date.now() - this.loadedAt) / 1000)} s`;
      this.logger.warn(`${message}; keeping the flags loaded before (age ${age})`);
    }
  }

  private setData(data: DataSet): void {
    this.data = data;
    this.evaluator = new Evaluator(data);
  }

  private applyFull(data: AllData): void {
    this.setData(DataSet.from(data));
    this.persist(data);
  }

  private updates(): DataSourceUpdates {
    return {
      init: (data, environmentId) => {
        this.applyFull(data);
        if (environmentId !== undefined) this.environmentId = environmentId;
        this.loadedAt = Date.now();
        this.lastError = undefined;
      },
      upsert: (kind: DataKind, key: string, item: FlagData | SegmentData) => {
        if (this.data === undefined) this.setData(DataSet.empty());
        if (this.data!.upsert(kind, key, item)) this.persistItem(kind, key, item);
      },
    };
  }

  /** Writes through to a persistent store, so other processes (in daemon mode) can read it. */
  private persist(data: AllData): void {
    const store = this.config.featureStore;
    if (store?.init === undefined || this.config.useLdd) return;
    const serialise = (items: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(items).map(([k, v]) => [k, JSON.stringify(v)]));
    store
      .init({ flags: serialise(data.flags), segments: serialise(data.segments) })
      .catch((err: Error) => this.logger.error(`could not write flags to the persistent store: ${err.message}`));
  }

  private persistItem(kind: DataKind, key: string, item: FlagData | SegmentData): void {
    const store = this.config.featureStore;
    if (store?.upsert === undefined || this.config.useLdd) return;
    store
      .upsert(kind, key, item.version, JSON.stringify(item))
      .catch((err: Error) => this.logger.error(`could not write ${kind} "${key}" to the persistent store: ${err.message}`));
  }

  // --- evaluation ---------------------------------------------------------------------------

  /**
   * One evaluation. `method` names the public call for hooks; with hooks configured, the
   * evaluation runs inside their series (and is re-entered without `method`).
   */
  private evaluateDetail(
    key: string,
    input: LDContext,
    defaultValue: LDFlagValue,
    type: ValueType,
    withReason: boolean,
    method?: string,
  ): LDEvaluationDetail {
    if (this.hooks !== undefined && method !== undefined) {
      const series = { flagKey: key, context: input, defaultValue, method, environmentId: this.environmentId };
      return this.hooks.evaluation(series, () => this.evaluateDetail(key, input, defaultValue, type, withReason));
    }
    const context = this.validContext(input, `flag "${key}"`);
    let evaluated = context === undefined ? errorResult('USER_NOT_SPECIFIED') : this.evaluateFor(key, context);
    const value = evaluated.value;
    if (value !== null && type !== undefined && typeof value !== type) {
      evaluated = errorResult('WRONG_TYPE', evaluated.flag);
    }
    if (context !== undefined) this.events?.recordEvaluation(key, context, evaluated, defaultValue, withReason);
    return evaluated.value === null
      ? { value: defaultValue, variationIndex: undefined, reason: evaluated.reason }
      : { value: evaluated.value, variationIndex: evaluated.variationIndex, reason: evaluated.reason };
  }

  private evaluateFor(key: string, context: Context): EvalResult {
    const data = this.data;
    if (data === undefined) return this.fail('CLIENT_NOT_READY', key);
    let flag: PreparedFlag | undefined;
    try {
      flag = data.flag(key);
    } catch (err) {
      if (!(err instanceof MalformedFlagError)) throw err;
      this.logger.error(`flag "${key}" is malformed: ${err.message}`);
      return errorResult('MALFORMED_FLAG');
    }
    if (flag === undefined) return this.fail('FLAG_NOT_FOUND', key);
    this.evaluatingFor = context;
    const evaluated = (this.evaluator as Evaluator).evaluate(flag, context, this.onPrerequisite);
    if (evaluated.reason.kind === 'ERROR') {
      this.logger.error(`flag "${flag.key}" could not be evaluated: ${evaluated.reason.errorKind}`);
    }
    return evaluated;
  }

  private validContext(input: LDContext, what: string): Context | undefined {
    const context = toContext(input);
    if (!isContextError(context)) return context;
    this.logger.warn(`${what}: invalid context: ${context.error}`);
    return undefined;
  }

  private fail(kind: LDErrorKind, key: string): EvalResult {
    if (this.source !== 'offline') {
      this.logger.warn(
        kind === 'CLIENT_NOT_READY'
          ? `flag "${key}" evaluated before flag data was loaded; returning the default`
          : `unknown flag "${key}"; returning the default`,
      );
    }
    return errorResult(kind);
  }
}


