/**
 * ldedge/openfeature: an OpenFeature provider for `@openfeature/server-sdk` over an ldedge client.
 *
 *   await OpenFeature.setProviderAndWait(new LaunchDarklyProvider(client));
 *
 * Evaluation contexts become LaunchDarkly contexts as LaunchDarkly's own providers map them (see
 * context.ts); LaunchDarkly's reasons and error kinds become OpenFeature's. Evaluation is
 * synchronous underneath, and `forContext` offers it without promises for request-scoped use.
 */
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type EvaluationDetails,
  type FlagValue,
  type JsonValue,
  type Logger,
  type Provider,
  type ProviderMetadata,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import { LDClient, basicLogger, type LDContext, type LDEvaluationDetail, type LDFlagValue, type LDLogger, type LDOptions } from '../../src/index.js';
import { longLivedParts } from '../../src/data/longLived.js';
import type { LDDataSource } from '../../src/data/types.js';
import { openFeatureErrorCode } from '../errorCodes.js';
import { watchDataSource, watchExtras, type ChangeListener } from './changes.js';
import { toLDContext } from './context.js';

export { toLDContext, type ConvertedContext } from './context.js';

type ValueType = 'boolean' | 'string' | 'number' | 'object';

export interface ProviderOptions {
  /** Seconds `initialize` waits for flags before the provider reports an error; default 10. */
  timeout?: number;
  /** Where `track` reports a context it cannot use; evaluations log through OpenFeature's logger. */
  logger?: LDLogger;
}

/** Evaluations for one evaluation context, converted once, without promises. */
export interface SyncFlagEvaluator {
  getBooleanValue(flagKey: string, defaultValue: boolean): boolean;
  getStringValue(flagKey: string, defaultValue: string): string;
  getNumberValue(flagKey: string, defaultValue: number): number;
  getObjectValue<T extends JsonValue>(flagKey: string, defaultValue: T): T;
  getBooleanDetails(flagKey: string, defaultValue: boolean): EvaluationDetails<boolean>;
  getStringDetails(flagKey: string, defaultValue: string): EvaluationDetails<string>;
  getNumberDetails(flagKey: string, defaultValue: number): EvaluationDetails<number>;
  getObjectDetails<T extends JsonValue>(flagKey: string, defaultValue: T): EvaluationDetails<T>;
  track(eventName: string, details?: TrackingEventDetails): void;
}

/** The client calls that check each OpenFeature type; objects are checked after. */
const CALLS = {
  boolean: 'boolVariationDetail',
  string: 'stringVariationDetail',
  number: 'numberVariationDetail',
  object: 'jsonVariationDetail',
} as const;

const isObjectValue = (value: unknown): boolean => value !== null && typeof value === 'object';

const MESSAGES: Partial<Record<string, string>> = {
  CLIENT_NOT_READY: 'flag data is not loaded yet',
  FLAG_NOT_FOUND: 'unknown flag',
  MALFORMED_FLAG: 'the flag is malformed',
  WRONG_TYPE: 'the flag value is not of the requested type',
  USER_NOT_SPECIFIED: 'the context is not valid; the client logged why',
};

/** An error answer: the default value, with OpenFeature's code and a message. */
function failed<T>(defaultValue: T, errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode, errorMessage };
}

/** LaunchDarkly's detail as OpenFeature's: the variation index is the variant, the reason kind the reason. */
function resolution<T>(detail: LDEvaluationDetail, defaultValue: T, type: ValueType): ResolutionDetails<T> {
  const reason = detail.reason;
  if (reason.kind === 'ERROR') {
    // The conversion made sure of a key, so a context the client refuses is invalid otherwise
    // (a kind with a bad character, say); the client's log says how.
    const code = reason.errorKind === 'USER_NOT_SPECIFIED' ? 'INVALID_CONTEXT' : openFeatureErrorCode(reason.errorKind);
    return failed(defaultValue, ErrorCode[code], MESSAGES[reason.errorKind] ?? reason.errorKind);
  }
  // jsonVariationDetail takes any JSON value; an OpenFeature object flag takes objects and arrays.
  if (type === 'object' && !isObjectValue(detail.value)) {
    return failed(defaultValue, ErrorCode.TYPE_MISMATCH, 'the flag value is not an object');
  }
  const resolved: ResolutionDetails<T> = { value: detail.value as T, reason: reason.kind };
  if (detail.variationIndex !== undefined) resolved.variant = String(detail.variationIndex);
  const metadata: Record<string, string | number | boolean> = {};
  if ('ruleIndex' in reason) metadata.ruleIndex = reason.ruleIndex;
  if ('ruleId' in reason && reason.ruleId !== undefined) metadata.ruleId = reason.ruleId;
  if ('prerequisiteKey' in reason) metadata.prerequisiteKey = reason.prerequisiteKey;
  if ('inExperiment' in reason && reason.inExperiment) metadata.inExperiment = true;
  if (Object.keys(metadata).length > 0) resolved.flagMetadata = metadata;
  return resolved;
}

/** OpenFeature tracking details as a custom event's data and metric value. */
function trackingArgs(details: TrackingEventDetails | undefined): [LDFlagValue | undefined, number | undefined] {
  if (details === undefined) return [undefined, undefined];
  const { value, ...rest } = details;
  const data = Object.keys(rest).length > 0 ? (JSON.parse(JSON.stringify(rest)) as LDFlagValue) : undefined;
  return [data, typeof value === 'number' ? value : undefined];
}

export class LaunchDarklyProvider implements Provider {
  readonly metadata: ProviderMetadata = { name: 'ldedge' };
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #client: LDClient;
  readonly #timeout: number;
  readonly #logger: LDLogger;

  /**
   * Over a client of any entry point (`ldedge/cloudflare`, `ldedge/node`, …). Configuration
   * changes are reported only for clients made by `createProvider`, which can watch their source.
   */
  constructor(client: LDClient, options: ProviderOptions = {}) {
    if (!(client instanceof LDClient) && typeof (client as { variationDetail?: unknown })?.variationDetail !== 'function') {
      throw new TypeError('LaunchDarklyProvider: the first argument must be an ldedge client (from init())');
    }
    if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout >= 0)) {
      throw new TypeError(`LaunchDarklyProvider: option "timeout" must be a number of seconds, got ${String(options.timeout)}`);
    }
    this.#client = client;
    this.#timeout = options.timeout ?? 10;
    this.#logger = options.logger ?? basicLogger('warn');
  }

  getClient(): LDClient {
    return this.#client;
  }

  /** Resolves once flags are loaded (OpenFeature then emits Ready); rejects, and it emits Error, if not. */
  async initialize(): Promise<void> {
    await this.#client.waitForInitialization({ timeout: this.#timeout });
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext, logger?: Logger) {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'boolean', logger));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext, logger?: Logger) {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'string', logger));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext, logger?: Logger) {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'number', logger));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext, logger?: Logger) {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'object', logger));
  }

  /** One evaluation, synchronously: what the four `resolve…Evaluation` methods resolve to. */
  resolve<T extends FlagValue>(
    flagKey: string,
    defaultValue: T,
    evaluationContext: EvaluationContext,
    type: ValueType,
    logger?: Logger,
  ): ResolutionDetails<T> {
    const converted = toLDContext(evaluationContext ?? {});
    for (const warning of converted.warnings) (logger ?? this.#logger).warn(warning);
    if (converted.context === undefined) return failed(defaultValue, ErrorCode.TARGETING_KEY_MISSING, converted.missingKey);
    return this.#resolveFor(flagKey, defaultValue, converted.context, type);
  }

  /**
   * Synchronous evaluations for one evaluation context, converted once: for a request at the
   * edge, after the client's flags are loaded. These skip OpenFeature's hooks and events.
   */
  forContext(evaluationContext: EvaluationContext): SyncFlagEvaluator {
    const converted = toLDContext(evaluationContext);
    for (const warning of converted.warnings) this.#logger.warn(warning);
    const resolve = <T extends FlagValue>(flagKey: string, defaultValue: T, type: ValueType): EvaluationDetails<T> => {
      const details =
        converted.context === undefined
          ? failed(defaultValue, ErrorCode.TARGETING_KEY_MISSING, converted.missingKey)
          : this.#resolveFor(flagKey, defaultValue, converted.context, type);
      return { flagKey, ...details, flagMetadata: Object.freeze({ ...details.flagMetadata }) };
    };
    return {
      getBooleanValue: (key, value) => resolve(key, value, 'boolean').value,
      getStringValue: (key, value) => resolve(key, value, 'string').value,
      getNumberValue: (key, value) => resolve(key, value, 'number').value,
      getObjectValue: (key, value) => resolve(key, value, 'object').value,
      getBooleanDetails: (key, value) => resolve(key, value, 'boolean'),
      getStringDetails: (key, value) => resolve(key, value, 'string'),
      getNumberDetails: (key, value) => resolve(key, value, 'number'),
      getObjectDetails: (key, value) => resolve(key, value, 'object'),
      track: (eventName, details) => this.track(eventName, evaluationContext, details),
    };
  }

  /** A custom event: `details.value` is the metric value, the other details its data. */
  track(trackingEventName: string, evaluationContext: EvaluationContext, details?: TrackingEventDetails): void {
    const converted = toLDContext(evaluationContext ?? {});
    for (const warning of converted.warnings) this.#logger.warn(warning);
    if (converted.context === undefined) {
      this.#logger.warn(`track "${trackingEventName}": ${converted.missingKey}; the event is dropped`);
      return;
    }
    this.#client.track(trackingEventName, converted.context, ...trackingArgs(details));
  }

  /** Flushes events; a client the provider made is also closed. */
  async onClose(): Promise<void> {
    if (owned.has(this)) await this.#client.close();
    else await this.#client.flush();
  }

  #resolveFor<T>(flagKey: string, defaultValue: T, context: LDContext, type: ValueType): ResolutionDetails<T> {
    const call = this.#client[CALLS[type]] as (key: string, context: unknown, fallback: unknown) => LDEvaluationDetail;
    return resolution(call.call(this.#client, flagKey, context, defaultValue), defaultValue, type);
  }
}

/** Providers whose client `createProvider` made for them, and so theirs to close. */
const owned = new WeakSet<LaunchDarklyProvider>();

/**
 * A provider with a client of its own, made as `init` from "ldedge" makes it (streaming and the
 * polling loop included), whose flag changes are emitted as ConfigurationChanged events: from the
 * stream, the polling loop, or a custom background `dataSource`. `onClose` closes the client.
 */
export function createProvider(sdkKey: string, options: LDOptions = {}, providerOptions: ProviderOptions = {}): LaunchDarklyProvider {
  let listener: ChangeListener = () => {};
  const relay: ChangeListener = (keys) => listener(keys);
  const dataSource = options.dataSource as LDDataSource | undefined;
  const watched: LDOptions =
    dataSource !== undefined && typeof (dataSource as { start?: unknown }).start === 'function'
      ? { ...options, dataSource: watchDataSource(dataSource, relay) }
      : options;
  const client = new LDClient(sdkKey, watched, watchExtras(longLivedParts, relay));
  const provider = new LaunchDarklyProvider(client, providerOptions);
  owned.add(provider);
  listener = (flagsChanged) =>
    provider.events.emit(ProviderEvents.ConfigurationChanged, flagsChanged === undefined ? {} : { flagsChanged });
  return provider;
}
