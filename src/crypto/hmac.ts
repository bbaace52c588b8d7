/**
 * The secure-mode hash client-side SDKs send to prove a context was vouched for by the server:
 * HMAC-SHA256 of the context's canonical key, keyed with the SDK key, in lowercase hex.
 */
import { encoder } from './sha1.js';

/**
 * The last SDK key and its import. A client hashes with its own SDK key only, so one slot serves
 * it; the promise is cached, not the key, so concurrent first calls share one import.
 */
let imported: [sdkKey: string, key: Promise<CryptoKey>] | undefined;

/** HMAC-SHA256 of `canonicalKey` keyed with `sdkKey`, as lowercase hex. */
export async function secureModeHash(sdkKey: string, canonicalKey: string): Promise<string> {
  if (imported?.[0] !== sdkKey) {
    // Web Crypto refuses an empty HMAC key. HMAC zero-pads short keys to the block size, so a
    // single zero byte is the same key and gives the same hash as Node's createHmac('sha256', '').
    const bytes = sdkKey === '' ? new Uint8Array(1) : encoder.encode(sdkKey);
    imported = [sdkKey, crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])];
  }
  const signature = await crypto.subtle.sign('HMAC', await imported[1], encoder.encode(canonicalKey));
  return Array.from(new Uint8Array(signature), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
