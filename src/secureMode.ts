/**
 * `ldedge/secure-mode`: the secure-mode hash, synchronously, on every host. The edge entry points'
 * clients give it only as a promise (Web Crypto's HMAC is asynchronous); this small module hashes
 * with a SHA-256 of its own instead, so a template that cannot await can still print it. Its own
 * subpath, so that bundles which do not import it do not carry it.
 *
 * ```ts
 * import { secureModeHashSync } from 'ldedge/secure-mode';
 * const html = `<script>ldHash = "${secureModeHashSync(env.LD_SDK_KEY, context)}"</script>`;
 * ```
 */
import type { LDContext } from './apiTypes.js';
import { isContextError, toContext } from './context.js';
import { hmacSha256Hex } from './crypto/sha256.js';

/**
 * HMAC-SHA256 of `context`'s canonical key, keyed with `sdkKey`, as lowercase hex: the same value
 * as `client.secureModeHash(context)` and LaunchDarkly's server SDKs' `secure_mode_hash`.
 * @param sdkKey the server-side SDK key the client-side SDK's environment belongs to
 * @param context the context the browser will identify as
 * @returns the hash, or undefined for an invalid context (as the clients' `secureModeHash` gives)
 * @example secureModeHashSync(sdkKey, { kind: 'user', key: 'u-1' })
 */
export function secureModeHashSync(sdkKey: string, context: LDContext): string | undefined {
  if (typeof sdkKey !== 'string') throw new TypeError(`secureModeHashSync: sdkKey must be a string, got ${typeof sdkKey}`);
  const valid = toContext(context);
  return isContextError(valid) ? undefined : hmacSha256Hex(sdkKey, valid.canonicalKey);
}
