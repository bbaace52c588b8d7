/**
 * Options → configuration: defaults, validation and normalisation (seconds to milliseconds).
 * A value of the wrong type or out of range is reported with the option's name and what was
 * expected, then replaced by its default; a pluggable component that cannot work throws.
 */
import { hasOwn, isRecord } from './util/json.js';
import type { DataLoader, KVStore, LDDataSource } from './data/types.js';
import type { LDBigSegments } from './data/bigSegments.js';
import type { PersistentDataStore } from './data/persistentStore.js';
import type { LDEventSender } from './events/sender.js';
import type { LDHook } from './hooks.js';
import { sdkHeaders, type HttpSettings } from './http.js';
import { basicLogger, LOGGER_METHODS, type LDLogger } from './logging.js';
import type { LDOptions } from './options.js';
import type { AllData } from './wire.js';

const finiteNumber: [(v: unknown) => boolean, string] = [Number.isFinite, 'a number'];
const arrayOf = (test: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(test);

function isHttpUrl(v: unknown): boolean {
  try {
    return typeof v === 'string' && /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

/**
 * Each kind of option: how a valid value is recognised, and how a warning names what was expected.
 * Kinds are one letter because the option table below ships in every edge bundle.
 */
const KINDS = {
  /** string */
  s: [(v) => typeof v === 'string', 'a string'],
  /** boolean */
  b: [(v) => typeof v === 'boolean', 'true or false'],
  /** Time: a duration in seconds; the configuration holds it in milliseconds, as `<name>Ms`. */
  t: finiteNumber,
  /** Number: a count, rounded down. */
  n: finiteNumber,
  /** URI */
  u: [isHttpUrl, 'an http(s) URL'],
  /** object */
  o: [isRecord, 'an object'],
  /** function */
  f: [(v) => typeof v === 'function', 'a function'],
  /** Strings */
  S: [arrayOf((v) => typeof v === 'string'), 'an array of strings'],
  /** Objects */
  O: [arrayOf((v) => typeof v === 'object' && v !== null), 'an array of objects'],
  /** payload */
  p: [(v) => typeof v === 'string' || isRecord(v), 'a JSON string or an object'],
  /** Key: LaunchDarkly's format for payload filter keys; a key that breaks it is not sent. */
  k: [
    (v) => typeof v === 'string' && /^[a-zA-Z0-9][\w.-]*$/.test(v),
    'a filter key: letters, digits, ".", "-" or "_", starting with a letter or digit',
  ],
} satisfies Record<string, [(v: unknown) => boolean, string]>;

type Kind = keyof typeof KINDS;

/** An option's kind, its default as docs/configuration.md shows it (undefined for "unset"), and its minimum. */
type OptionSpec = readonly [kind: Kind, fallback?: string | number | boolean, min?: number];

/** Every option `init` accepts. The table in docs/configuration.md is checked against this. */
export const OPTION_SPECS: Readonly<Record<keyof LDOptions, OptionSpec>> = {
  baseUri: ['u', 'https://sdk.launchdarkly.com'],
  streamUri: ['u', 'https://stream.launchdarkly.com'],
  eventsUri: ['u', 'https://events.launchdarkly.com'],
  connectTimeout: ['t', 10, 0.001],
  readTimeout: ['t', 15, 0.001],
  stream: ['b', false],
  pollInterval: ['t', undefined, 30],
  payloadFilterKey: ['k'],
  initialReconnectDelay: ['t', 1, 0],
  cacheTtl: ['t', 30, 0],
  payload: ['p'],
  kvStore: ['o'],
  clientSideId: ['s'],
  kvKey: ['s'],
  featureStore: ['o'],
  useLdd: ['b', false],
  bigSegments: ['o'],
  dataSource: ['o'],
  offline: ['b', false],
  sendEvents: ['b', true],
  capacity: ['n', 10000, 1],
  eventBatchSize: ['n', undefined, 1],
  flushInterval: ['t', undefined, 0.1],
  allAttributesPrivate: ['b', false],
  privateAttributes: ['S'],
  contextKeysCapacity: ['n', 1000, 1],
  contextKeysFlushInterval: ['t', 300, 1],
  omitAnonymousContexts: ['b', false],
  enableEventCompression: ['b', false],
  eventSender: ['o'],
  logger: ['o'],
  fetch: ['f'],
  application: ['o'],
  wrapperName: ['s'],
  wrapperVersion: ['s'],
  hooks: ['O'],
};

/** The validated configuration the client and its parts work from. */
export interface Config {
  readonly sdkKey: string;
  readonly baseUri: string;
  readonly streamUri: string;
  readonly eventsUri: string;
  readonly stream: boolean;
  readonly pollIntervalMs: number | undefined;
  readonly payloadFilterKey: string | undefined;
  readonly initialReconnectDelayMs: number;
  readonly cacheTtlMs: number;
  readonly payload: string | AllData | undefined;
  readonly kvStore: KVStore | undefined;
  readonly kvKey: string | undefined;
  readonly featureStore: PersistentDataStore | undefined;
  readonly useLdd: boolean;
  readonly bigSegments: LDBigSegments | undefined;
  readonly dataSource: LDDataSource | DataLoader | undefined;
  readonly offline: boolean;
  readonly sendEvents: boolean;
  readonly capacity: number;
  /** Undefined: every event held goes in one payload. */
  readonly eventBatchSize: number | undefined;
  readonly flushIntervalMs: number | undefined;
  readonly allAttributesPrivate: boolean;
  readonly privateAttributes: readonly string[];
  readonly contextKeysCapacity: number;
  readonly contextKeysFlushIntervalMs: number;
  readonly omitAnonymousContexts: boolean;
  readonly enableEventCompression: boolean;
  readonly eventSender: LDEventSender | undefined;
  readonly logger: LDLogger;
  readonly http: HttpSettings;
  readonly hooks: readonly LDHook[];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  // Objects and functions by type; null, undefined, numbers and booleans as they are.
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
    ? `a ${typeof value}`
    : String(value);
}

/**
 * The known option a misspelt name most likely meant: compared in lower case without underscores
 * (so the seed SDK's `send_events` finds `sendEvents`), the one sharing the longest start with it,
 * if that start is most of the known name.
 */
export function nearestOption(name: string): string | undefined {
  const given = name.toLowerCase().replace(/_/g, '');
  let best: string | undefined;
  let bestShared = 3;
  for (const known in OPTION_SPECS) {
    const lower = known.toLowerCase();
    let shared = 0;
    while (shared < given.length && given[shared] === lower[shared]) shared++;
    if (shared > bestShared && shared >= lower.length * 0.6) {
      best = known;
      bestShared = shared;
    }
  }
  return best;
}

/** Throws when a component is given without methods it needs: it could not work. */
function requireMethods(name: string, value: unknown, methods: readonly string[]): void {
  const missing = methods.filter((m) => typeof (value as Record<string, unknown> | null)?.[m] !== 'function');
  if (value !== undefined && missing[0]) {
    throw new TypeError(`option "${name}" must be an object with ${missing.join('(), ')}()`);
  }
}

/** Builds the configuration, warning about every problem on `options`' own logger (or console). */
export function makeConfig(sdkKey: unknown, options: LDOptions = {}): Config {
  if (!isRecord(options as unknown)) throw new TypeError(`options must be an object, got ${describe(options)}`);
  requireMethods('logger', options.logger, LOGGER_METHODS);
  const logger = options.logger ?? basicLogger();
  const offline = options.offline === true;
  if (typeof sdkKey !== 'string' || (sdkKey === '' && !offline)) {
    throw new TypeError(`sdkKey must be a non-empty string, got ${describe(sdkKey)}`);
  }

  for (const name in options) {
    if (!hasOwn(OPTION_SPECS, name)) {
      const suggestion = nearestOption(name);
      logger.warn(`unknown option "${name}" is ignored${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
    }
  }

  // Every option under its own name, validated, defaults filled in; durations become `<name>Ms`.
  // (URIs keep any trailing slash: `joinUri` drops it.)
  const config: Record<string, any> = {};
  for (const [name, [kind, fallback, min]] of Object.entries(OPTION_SPECS)) {
    let value = options[name as keyof LDOptions] as any;
    if (value === undefined) {
      // Same as not given.
    } else if (!KINDS[kind][0](value)) {
      const instead = fallback === undefined ? 'it is ignored' : `using ${fallback}`;
      logger.warn(`option "${name}" must be ${KINDS[kind][1]}, got ${describe(value)}; ${instead}`);
      value = undefined;
    } else if (value < min!) {
      logger.warn(`option "${name}" must be at least ${min}, got ${value}; using ${min}`);
      value = min;
    }
    value ??= fallback;
    if (kind === 't') config[`${name}Ms`] = value && Math.round(value * 1000);
    else config[name] = kind === 'n' ? value && Math.floor(value) : value;
  }

  // A data source is either a loader (`load`) or a background source.
  const dataSource = typeof config.dataSource?.load === 'function' ? [] : ['start', 'close'];
  for (const [name, methods] of Object.entries({ kvStore: ['get'], featureStore: ['getAll', 'get'], eventSender: ['sendEvents'], dataSource })) {
    requireMethods(name, config[name], methods);
  }

  if (config.kvStore !== undefined && config.kvKey === undefined) {
    if (config.clientSideId === undefined) {
      throw new TypeError('option "kvStore" needs "clientSideId" or "kvKey"');
    }
    config.kvKey = `LD-Env-${config.clientSideId}`;
  }
  if (config.useLdd && config.featureStore === undefined) {
    throw new TypeError('option "useLdd" needs "featureStore" to read flags from');
  }
  const sources = ['payload', 'kvStore', 'dataSource', 'useLdd'].filter(
    (n) => config[n] !== undefined && config[n] !== false,
  );
  if (sources.length > 1) {
    throw new TypeError(`options "${sources.join('" and "')}" each choose the flag source; give one`);
  }
  if (config.stream && config.pollIntervalMs !== undefined) {
    logger.warn('option "pollInterval" is ignored while "stream" is true');
  }

  const tags = (['id', 'version'] as const)
    .map((name) => tag(name, config.application?.[name], logger))
    .filter(Boolean)
    .join(' ');
  const { wrapperName, wrapperVersion } = config;
  const wrapper = wrapperName && (wrapperVersion ? `${wrapperName}/${wrapperVersion}` : wrapperName);
  // Called as a plain function: some hosts reject a `fetch` invoked with another `this`.
  const givenFetch: typeof fetch = config.fetch ?? globalThis.fetch;

  return Object.assign(config, {
    sdkKey,
    logger,
    sendEvents: config.sendEvents && !offline,
    privateAttributes: config.privateAttributes ?? [],
    hooks: config.hooks ?? [],
    http: {
      fetch: (input, init) => givenFetch(input, init),
      headers: sdkHeaders(sdkKey, wrapper, tags),
      connectTimeoutMs: config.connectTimeoutMs,
      readTimeoutMs: config.readTimeoutMs,
    } satisfies HttpSettings,
  }) as Config;
}

/** One `X-LaunchDarkly-Tags` entry, or undefined (with a warning) for a value LaunchDarkly refuses. */
function tag(name: string, value: unknown, logger: LDLogger): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[\w.-]{1,64}$/.test(value)) return `application-${name}/${value}`;
  logger.warn(
    `option "application.${name}" must be at most 64 letters, digits, ".", "-" or "_", got ${describe(value)}; it is not sent`,
  );
  return undefined;
}
