/**
 * Options → configuration: defaults, validation and normalisation (seconds to milliseconds).
 * A value of the wrong type or out of range is reported with the option's name and what was
 * expected, then replaced by its default; a pluggable component that cannot work throws.
 */
import type { DataLoader, KVStore, LDDataSource } from './data/types.js';
import type { PersistentDataStore } from './data/persistentStore.js';
import type { LDEventSender } from './events/sender.js';
import type { LDHook } from './hooks.js';
import type { HttpSettings } from './http.js';
import { basicLogger, type LDLogger } from './logging.js';
import type { LDOptions } from './options.js';
import type { AllData } from './wire.js';

export const DEFAULT_BASE_URI = 'https://sdk.launchdarkly.com';
export const DEFAULT_STREAM_URI = 'https://stream.launchdarkly.com';
export const DEFAULT_EVENTS_URI = 'https://events.launchdarkly.com';

type Kind = 'string' | 'boolean' | 'number' | 'object' | 'function' | 'string[]' | 'object[]' | 'payload';

interface OptionSpec {
  readonly kind: Kind;
  /** The default, as the README's table shows it; undefined for "unset". */
  readonly default?: string | number | boolean;
  readonly min?: number;
}

/** Every option `init` accepts. The README's configuration table is checked against this. */
export const OPTION_SPECS: Readonly<Record<keyof LDOptions, OptionSpec>> = {
  baseUri: { kind: 'string', default: DEFAULT_BASE_URI },
  streamUri: { kind: 'string', default: DEFAULT_STREAM_URI },
  eventsUri: { kind: 'string', default: DEFAULT_EVENTS_URI },
  connectTimeout: { kind: 'number', default: 10, min: 0.001 },
  readTimeout: { kind: 'number', default: 15, min: 0.001 },
  stream: { kind: 'boolean', default: false },
  pollInterval: { kind: 'number', min: 30 },
  payloadFilterKey: { kind: 'string' },
  initialReconnectDelay: { kind: 'number', default: 1, min: 0 },
  cacheTtl: { kind: 'number', default: 30, min: 0 },
  payload: { kind: 'payload' },
  kvStore: { kind: 'object' },
  clientSideId: { kind: 'string' },
  kvKey: { kind: 'string' },
  featureStore: { kind: 'object' },
  useLdd: { kind: 'boolean', default: false },
  dataSource: { kind: 'object' },
  offline: { kind: 'boolean', default: false },
  sendEvents: { kind: 'boolean', default: true },
  capacity: { kind: 'number', default: 10000, min: 1 },
  eventBatchSize: { kind: 'number', default: 1000, min: 1 },
  flushInterval: { kind: 'number', min: 0.1 },
  allAttributesPrivate: { kind: 'boolean', default: false },
  privateAttributes: { kind: 'string[]' },
  contextKeysCapacity: { kind: 'number', default: 1000, min: 1 },
  contextKeysFlushInterval: {
    kind: 'number',
    default: 300,
    min: 1,
  },
  omitAnonymousContexts: { kind: 'boolean', default: false },
  enableEventCompression: { kind: 'boolean', default: false },
  eventSender: { kind: 'object' },
  logger: { kind: 'object' },
  fetch: { kind: 'function' },
  application: { kind: 'object' },
  wrapperName: { kind: 'string' },
  wrapperVersion: { kind: 'string' },
  hooks: { kind: 'object[]' },
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
  readonly dataSource: LDDataSource | DataLoader | undefined;
  readonly offline: boolean;
  readonly sendEvents: boolean;
  readonly capacity: number;
  readonly eventBatchSize: number;
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
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

function kindMatches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'function':
      return typeof value === 'function';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null);
    case 'payload':
      return typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value));
  }
}

const EXPECTED: Record<Kind, string> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  function: 'a function',
  object: 'an object',
  'string[]': 'an array of strings',
  'object[]': 'an array of objects',
  payload: 'a JSON string or an object',
};

/** Edit distance, for suggesting the option a misspelt name meant. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return prev[b.length];
}

export function nearestOption(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase().replace(/_/g, '');
  for (const known of Object.keys(OPTION_SPECS)) {
    const d = distance(lower, known.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = known;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function requireMethods(name: string, value: unknown, methods: string[]): void {
  if (value === undefined) return;
  const missing = methods.filter(
    (m) => typeof (value as Record<string, unknown> | null)?.[m] !== 'function',
  );
  if (missing.length > 0) {
    throw new TypeError(
      `option "${name}" must be an object with ${methods.map((m) => `${m}()`).join(', ')}; missing ${missing.join(', ')}`,
    );
  }
}

function validUri(name: string, value: string, logger: LDLogger, fallback: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  logger.warn(`option "${name}" must be an http(s) URL, got ${describe(value)}; using ${fallback}`);
  return fallback;
}

/** LaunchDarkly's format for payload filter keys; a key that breaks it is left out, not sent. */
function filterKey(value: string | undefined, logger: LDLogger): string | undefined {
  if (value === undefined || /^[a-zA-Z0-9][._\-a-zA-Z0-9]*$/.test(value)) return value;
  logger.warn(`option "payloadFilterKey" is not a valid filter key, got ${describe(value)}; the whole environment is fetched`);
  return undefined;
}

function tagValue(name: string, value: string | undefined, logger: LDLogger): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\w.-]{1,64}$/.test(value)) {
    logger.warn(
      `option "application.${name}" must be at most 64 letters, digits, ".", "-" or "_", got ${describe(value)}; it is not sent`,
    );
    return undefined;
  }
  return value;
}

/** Builds the configuration, warning about every problem on `options`' own logger (or console). */
export function makeConfig(sdkKey: unknown, options: LDOptions = {}): Config {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  requireMethods('logger', options.logger, ['debug', 'info', 'warn', 'error']);
  const logger = options.logger ?? basicLogger();
  const offline = options.offline === true;
  if (typeof sdkKey !== 'string' || (sdkKey === '' && !offline)) {
    throw new TypeError(`sdkKey must be a non-empty string, got ${describe(sdkKey)}`);
  }

  const values: Record<string, unknown> = {};
  for (const name of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[name];
    const spec = (OPTION_SPECS as Record<string, OptionSpec | undefined>)[name];
    if (spec === undefined) {
      const suggestion = nearestOption(name);
      logger.warn(`unknown option "${name}" is ignored${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
      continue;
    }
    if (value === undefined) continue;
    if (!kindMatches(spec.kind, value)) {
      const fallback = spec.default === undefined ? 'it is ignored' : `using ${String(spec.default)}`;
      logger.warn(`option "${name}" must be ${EXPECTED[spec.kind]}, got ${describe(value)}; ${fallback}`);
      continue;
    }
    if (spec.min !== undefined && (value as number) < spec.min) {
      logger.warn(`option "${name}" must be at least ${spec.min}, got ${String(value)}; using ${spec.min}`);
      values[name] = spec.min;
      continue;
    }
    values[name] = value;
  }
  const pick = <K extends keyof LDOptions>(name: K): NonNullable<LDOptions[K]> =>
    (values[name] ?? OPTION_SPECS[name].default) as NonNullable<LDOptions[K]>;
  const seconds = (name: keyof LDOptions): number | undefined => {
    const v = values[name] ?? OPTION_SPECS[name].default;
    return typeof v === 'number' ? Math.round(v * 1000) : undefined;
  };

  requireMethods('kvStore', values.kvStore, ['get']);
  requireMethods('featureStore', values.featureStore, ['getAll', 'get', 'isInitialized']);
  requireMethods('eventSender', values.eventSender, ['sendEvents']);
  const dataSource = values.dataSource as LDDataSource | DataLoader | undefined;
  if (dataSource !== undefined && typeof (dataSource as DataLoader).load !== 'function') {
    requireMethods('dataSource', dataSource, ['start', 'close']);
  }

  const kvStore = values.kvStore as KVStore | undefined;
  let kvKey = values.kvKey as string | undefined;
  if (kvStore !== undefined && kvKey === undefined) {
    if (values.clientSideId === undefined) {
      throw new TypeError('option "kvStore" needs "clientSideId" (or "kvKey") to know which entry to read');
    }
    kvKey = `LD-Env-${values.clientSideId as string}`;
  }
  const useLdd = pick('useLdd');
  if (useLdd && values.featureStore === undefined) {
    throw new TypeError('option "useLdd" needs "featureStore": daemon mode reads flags only from a store');
  }
  const sources = ['payload', 'kvStore', 'dataSource'].filter((n) => values[n] !== undefined);
  if (useLdd) sources.push('useLdd');
  if (sources.length > 1) {
    throw new TypeError(`options ${sources.map((s) => `"${s}"`).join(' and ')} each choose the flag source; give one`);
  }
  if (pick('stream') && values.pollInterval !== undefined) {
    logger.warn('option "pollInterval" is ignored while "stream" is true');
  }

  const application = (values.application ?? {}) as { id?: string; version?: string };
  const tags = [
    ['application-id', tagValue('id', application.id, logger)],
    ['application-version', tagValue('version', application.version, logger)],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}/${v}`)
    .join(' ');
  const wrapperName = values.wrapperName as string | undefined;
  const wrapperVersion = values.wrapperVersion as string | undefined;
  const wrapper = wrapperName ? (wrapperVersion ? `${wrapperName}/${wrapperVersion}` : wrapperName) : undefined;

  // Called as a plain function: some hosts reject a `fetch` invoked with another `this`.
  const givenFetch = (values.fetch as typeof fetch | undefined) ?? globalThis.fetch;
  const fetchImpl: typeof fetch = (input, init) => givenFetch(input, init);
  const connectTimeoutMs = seconds('connectTimeout') as number;
  const readTimeoutMs = seconds('readTimeout') as number;
  let instanceId: string | undefined;

  return {
    sdkKey,
    baseUri: validUri('baseUri', pick('baseUri'), logger, DEFAULT_BASE_URI),
    streamUri: validUri('streamUri', pick('streamUri'), logger, DEFAULT_STREAM_URI),
    eventsUri: validUri('eventsUri', pick('eventsUri'), logger, DEFAULT_EVENTS_URI),
    stream: pick('stream'),
    pollIntervalMs: seconds('pollInterval'),
    payloadFilterKey: filterKey(values.payloadFilterKey as string | undefined, logger),
    initialReconnectDelayMs: seconds('initialReconnectDelay') as number,
    cacheTtlMs: seconds('cacheTtl') as number,
    payload: values.payload as string | AllData | undefined,
    kvStore,
    kvKey,
    featureStore: values.featureStore as PersistentDataStore | undefined,
    useLdd,
    dataSource,
    offline,
    sendEvents: pick('sendEvents') && !offline,
    capacity: Math.floor(pick('capacity')),
    eventBatchSize: Math.floor(pick('eventBatchSize')),
    flushIntervalMs: seconds('flushInterval'),
    allAttributesPrivate: pick('allAttributesPrivate'),
    privateAttributes: (values.privateAttributes as string[] | undefined) ?? [],
    contextKeysCapacity: Math.floor(pick('contextKeysCapacity')),
    contextKeysFlushIntervalMs: seconds('contextKeysFlushInterval') as number,
    omitAnonymousContexts: pick('omitAnonymousContexts'),
    enableEventCompression: pick('enableEventCompression'),
    eventSender: values.eventSender as LDEventSender | undefined,
    logger,
    http: {
      sdkKey,
      fetch: fetchImpl,
      wrapper,
      tags: tags === '' ? undefined : tags,
      connectTimeoutMs,
      readTimeoutMs,
      // Made on first use: Workers refuse random values in global scope, where clients are created.
      get instanceId() {
        return (instanceId ??= crypto.randomUUID());
      },
    },
    hooks: (values.hooks as LDHook[] | undefined) ?? [],
  };
}
