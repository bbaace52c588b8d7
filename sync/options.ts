/**
 * The options every way of syncing shares, checked here rather than by the engine's option
 * reader: a sync has few options, and each wrong one is an error, not a warning.
 */
import { sdkHeaders, type HttpSettings } from '../src/http.js';
import { basicLogger, type LDLogger } from '../src/logging.js';
import type { SyncTarget } from './types.js';

export interface SyncOptions {
  /** The environment's server-side SDK key. */
  sdkKey: string;
  /** Where the flags go: `cloudflareKv(env.LD_KV)`, `persistentStore(redisStore(…))`, … */
  target: SyncTarget;
  /** Names the entry `LD-Env-<clientSideId>`, the key LaunchDarkly's edge integrations use. */
  clientSideId?: string;
  /** The entry's key, when it is not `LD-Env-<clientSideId>`. */
  key?: string;
  /** Root of the polling endpoint; default `https://sdk.launchdarkly.com` (or a Relay Proxy). */
  baseUri?: string;
  /** Root of the streaming endpoint; default `https://stream.launchdarkly.com`. */
  streamUri?: string;
  /** Sync only the flags of this payload filter (`?filter=<key>`). */
  payloadFilterKey?: string;
  /** Seconds until response headers arrive; default 10. */
  connectTimeout?: number;
  /** Seconds to read a body, or between bytes of the stream; default 15. */
  readTimeout?: number;
  /** The `fetch` used for requests to LaunchDarkly. */
  fetch?: typeof fetch;
  /** Default: the console, at info. */
  logger?: LDLogger;
}

/** LaunchDarkly refused the SDK key: nothing will work until it is changed. */
export class SyncAuthError extends Error {
  override readonly name = 'SyncAuthError';
  constructor(
    readonly status: number,
    sdkKey: string,
  ) {
    // Only the last four characters: the message goes to logs.
    super(`LaunchDarkly refused the SDK key ending in "${sdkKey.slice(-4)}" (HTTP ${status}); check the key and its environment`);
  }
}

/** Whether LaunchDarkly answering `status` means the key is refused. */
export function isAuthStatus(status: number): boolean {
  return status === 401 || status === 403;
}

export interface SyncSetup {
  readonly sdkKey: string;
  readonly target: SyncTarget;
  /** The entry's key; empty for targets that need none. */
  readonly key: string;
  readonly baseUri: string;
  readonly streamUri: string;
  readonly filter: string | undefined;
  readonly http: HttpSettings;
  readonly logger: LDLogger;
}

function uri(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  let ok = false;
  try {
    ok = typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    // not a URL
  }
  if (!ok) throw new TypeError(`option "${name}" must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value as string;
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`option "${name}" must be a number of seconds above 0, got ${JSON.stringify(value)}`);
  return Math.round(value * 1000);
}

function text(value: unknown, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new TypeError(`option "${name}" must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value as string | undefined;
}

/** Validates the options: a TypeError names the option and what was wrong with it. */
export function setUp(options: SyncOptions): SyncSetup {
  if (typeof options !== 'object' || options === null) throw new TypeError('sync options must be an object');
  const { target, logger = basicLogger() } = options;
  const sdkKey = text(options.sdkKey, 'sdkKey');
  if (sdkKey === undefined) throw new TypeError('option "sdkKey" is missing: give the environment\'s server-side SDK key');
  if (typeof target?.write !== 'function' || typeof target.readVersion !== 'function') {
    throw new TypeError('option "target" must be a sync target, such as cloudflareKv(env.LD_KV)');
  }
  const clientSideId = text(options.clientSideId, 'clientSideId');
  const key = text(options.key, 'key') ?? (clientSideId ? `LD-Env-${clientSideId}` : '');
  if (target.needsKey && !key) {
    throw new TypeError(`target "${target.name}" needs option "clientSideId" (or "key") to name the entry`);
  }
  const filter = text(options.payloadFilterKey, 'payloadFilterKey');
  if (filter !== undefined && !/^[a-zA-Z0-9][\w.-]*$/.test(filter)) {
    throw new TypeError(`option "payloadFilterKey" must be letters, digits, ".", "-" or "_", starting with a letter or digit, got ${JSON.stringify(filter)}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('option "fetch" must be a function');
  const givenFetch = options.fetch ?? globalThis.fetch;
  return {
    sdkKey,
    target,
    key,
    baseUri: uri(options.baseUri, 'baseUri', 'https://sdk.launchdarkly.com'),
    streamUri: uri(options.streamUri, 'streamUri', 'https://stream.launchdarkly.com'),
    filter,
    logger,
    http: {
      // Called as a plain function: some hosts reject a `fetch` invoked with another `this`.
      fetch: (input, init) => givenFetch(input, init),
      headers: sdkHeaders(sdkKey, 'ldedge-sync'),
      connectTimeoutMs: seconds(options.connectTimeout, 'connectTimeout', 10),
      readTimeoutMs: seconds(options.readTimeout, 'readTimeout', 15),
    },
  };
}

/** A hash of `text` as a version, for data that came without an ETag. */
export async function contentVersion(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `sha256-${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The data set without tombstones, as `/sdk/latest-all` serves it: what entries hold. */
export function liveData<T extends { flags: object; segments: object }>(data: T): T {
  const live = (items: object) =>
    Object.fromEntries(Object.entries(items).filter(([, item]) => (item as { deleted?: boolean } | null)?.deleted !== true));
  return { ...data, flags: live(data.flags), segments: live(data.segments) };
}
