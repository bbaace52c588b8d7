/**
 * The harness's client configuration (its `servicedef.SDKConfigParams`, JSON with `null` meaning
 * absent) mapped to ldedge options.
 */
import { bigSegments, type LDBigSegments, type LDHook, type LDOptions } from '../../src/index.js';
import { callbackBigSegmentStore } from './bigSegmentStore.js';
import { cacheTtl, type HarnessPersistence } from './persistentStore.js';

type Maybe<T> = T | null | undefined;

export interface HarnessConfig {
  credential: string;
  startWaitTimeMs?: Maybe<number>;
  initCanFail?: Maybe<boolean>;
  serviceEndpoints?: Maybe<{ streaming?: Maybe<string>; polling?: Maybe<string>; events?: Maybe<string> }>;
  streaming?: Maybe<{ baseUri?: Maybe<string>; initialRetryDelayMs?: Maybe<number>; filter?: Maybe<string> }>;
  polling?: Maybe<{ baseUri?: Maybe<string>; pollIntervalMs?: Maybe<number>; filter?: Maybe<string> }>;
  events?: Maybe<{
    baseUri?: Maybe<string>;
    capacity?: Maybe<number>;
    enableDiagnostics?: Maybe<boolean>;
    allAttributesPrivate?: Maybe<boolean>;
    globalPrivateAttributes?: Maybe<string[]>;
    flushIntervalMs?: Maybe<number>;
    omitAnonymousContexts?: Maybe<boolean>;
    enableGzip?: Maybe<boolean>;
  }>;
  tags?: Maybe<{ applicationId?: Maybe<string>; applicationVersion?: Maybe<string> }>;
  /** `name`/`version` in the service spec; some harness versions say `wrapperName`/`wrapperVersion`. */
  wrapper?: Maybe<{
    name?: Maybe<string>;
    version?: Maybe<string>;
    wrapperName?: Maybe<string>;
    wrapperVersion?: Maybe<string>;
  }>;
  hooks?: Maybe<{ hooks?: Maybe<unknown[]> }>;
  persistentDataStore?: Maybe<HarnessPersistence>;
  bigSegments?: Maybe<{
    callbackUri: string;
    userCacheSize?: Maybe<number>;
    userCacheTimeMs?: Maybe<number>;
    statusPollIntervalMs?: Maybe<number>;
    staleAfterMs?: Maybe<number>;
  }>;
}

export interface ClientSetup {
  sdkKey: string;
  options: LDOptions;
  /** How long creating the client may wait for flags. */
  startWaitMs: number;
  initCanFail: boolean;
  /** Also in `options`; commands prefetch through it before evaluating. */
  bigSegments: LDBigSegments | undefined;
}

const seconds = (ms: Maybe<number>) => (typeof ms === 'number' && ms > 0 ? ms / 1000 : undefined);

/** An empty string means "not set" to the harness, as null does. */
function given(value: Maybe<string>): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

export function clientSetup(config: HarnessConfig, hooks: LDHook[]): ClientSetup {
  const endpoints = config.serviceEndpoints ?? {};
  const options: LDOptions = {
    baseUri: given(config.polling?.baseUri) ?? given(endpoints.polling),
    streamUri: given(config.streaming?.baseUri) ?? given(endpoints.streaming),
    eventsUri: given(config.events?.baseUri) ?? given(endpoints.events),
  };

  const persistence = config.persistentDataStore;
  // With a store and no stream or poll configured, daemon mode: flags come from the store alone.
  // Otherwise streaming unless only polling is configured, as the harness expects.
  const daemon = persistence && !config.streaming && !config.polling;
  if (persistence) options.cacheTtl = cacheTtl(persistence.cache);
  if (daemon) options.useLdd = true;
  const streaming = daemon ? undefined : (config.streaming ?? (config.polling ? undefined : {}));
  if (streaming) {
    options.stream = true;
    const delay = streaming.initialRetryDelayMs;
    if (typeof delay === 'number') options.initialReconnectDelay = delay / 1000;
    options.payloadFilterKey = given(streaming.filter);
  } else if (config.polling) {
    // Server-side polling has a 30 s minimum, as in LaunchDarkly's SDKs; the harness's polling
    // tests are written for it (shorter or zero intervals mean the default).
    const ms = config.polling.pollIntervalMs;
    options.pollInterval = typeof ms === 'number' && ms > 30_000 ? ms / 1000 : 30;
    options.payloadFilterKey = given(config.polling.filter);
  }

  const events = config.events;
  if (!events) {
    options.sendEvents = false;
  } else {
    if (typeof events.capacity === 'number' && events.capacity > 0) options.capacity = events.capacity;
    if (typeof events.flushIntervalMs === 'number' && events.flushIntervalMs > 0) {
      options.flushInterval = events.flushIntervalMs / 1000;
    }
    options.allAttributesPrivate = events.allAttributesPrivate === true;
    if (events.globalPrivateAttributes) options.privateAttributes = events.globalPrivateAttributes;
    options.omitAnonymousContexts = events.omitAnonymousContexts === true;
    // The SDK's default (uncompressed) unless the harness asks for gzip.
    options.enableEventCompression = events.enableGzip === true;
  }

  const tags = config.tags;
  if (tags) {
    options.application = {
      id: tags.applicationId ?? undefined,
      version: tags.applicationVersion ?? undefined,
    };
  }
  const wrapper = config.wrapper;
  if (wrapper) {
    options.wrapperName = given(wrapper.name) ?? given(wrapper.wrapperName);
    options.wrapperVersion = given(wrapper.version) ?? given(wrapper.wrapperVersion);
  }
  if (hooks.length > 0) options.hooks = hooks;
  const big = config.bigSegments;
  if (big) {
    options.bigSegments = bigSegments(callbackBigSegmentStore(big.callbackUri), {
      contextCacheSize: big.userCacheSize ?? undefined,
      contextCacheTime: seconds(big.userCacheTimeMs),
      statusPollInterval: seconds(big.statusPollIntervalMs),
      staleAfter: seconds(big.staleAfterMs),
    });
  }

  // Leave out what was not set, so ldedge's defaults apply and nothing is reported as a bad value.
  for (const key of Object.keys(options) as (keyof LDOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  const wait = config.startWaitTimeMs;
  return {
    sdkKey: config.credential,
    options,
    startWaitMs: typeof wait === 'number' && wait > 0 ? wait : 5000,
    initCanFail: config.initCanFail === true,
    bigSegments: options.bigSegments,
  };
}
