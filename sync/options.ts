/** The options every way of syncing shares, read into the engine's own configuration. */
import { makeConfig, type Config } from '../src/config.js';
import { HttpStatusError } from '../src/http.js';
import type { LDLogger } from '../src/logging.js';
import type { SyncTarget } from './types.js';

export interface SyncOptions {
  /** The environment's server-side SDK key. */
  sdkKey: string;
  /** Where the flags go. */
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

/** `err` as a SyncAuthError when it is LaunchDarkly refusing the key, otherwise as it is. */
export function authFailure(err: unknown, sdkKey: string): unknown {
  return err instanceof HttpStatusError && (err.status === 401 || err.status === 403) ? new SyncAuthError(err.status, sdkKey) : err;
}

export interface SyncSetup {
  readonly config: Config;
  readonly target: SyncTarget;
  /** The entry's key; empty for targets that need none. */
  readonly key: string;
}

/** Validates the options: a TypeError names what is missing or wrong. */
export function setUp(options: SyncOptions): SyncSetup {
  const { sdkKey, target, clientSideId, key, logger, ...http } = options ?? ({} as SyncOptions);
  if (typeof target?.write !== 'function' || typeof target.readVersion !== 'function') {
    throw new TypeError('option "target" must be a sync target, such as cloudflareKv(env.LD_KV)');
  }
  const entryKey = key ?? (clientSideId ? `LD-Env-${clientSideId}` : '');
  if (target.needsKey && !entryKey) {
    throw new TypeError(`target "${target.name}" needs "clientSideId" (or "key") to name the entry`);
  }
  // The engine's reading of the shared options: the same defaults, checks and warnings.
  const config = makeConfig(sdkKey, { ...http, logger });
  return { config, target, key: entryKey };
}

/** A hash of `text` as a version, for data that came without an ETag. */
export async function contentVersion(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `sha256-${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
