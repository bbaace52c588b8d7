/**
 * The secure-mode hash client-side SDKs send to prove a context was vouched for by the server:
 * HMAC-SHA256 of the context's canonical key, keyed with the SDK key, in lowercase hex.
 */

const encoder = new TextEncoder();

/** Imported keys by SDK key; a process rarely holds more than one, so a few slots suffice. */
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 4;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function importKey(sdkKey: string): Promise<CryptoKey> {
  let key = importedKeys.get(sdkKey);
  if (key !== undefined) return key;
  let bytes = encoder.encode(sdkKey);
  // Web Crypto refuses an empty HMAC key. HMAC zero-pads short keys to the block size, so a
  // single zero byte is the same key and gives the same hash as Node's createHmac('sha256', '').
  if (bytes.length === 0) bytes = new Uint8Array(1);
  // The promise is cached, not the key, so concurrent first calls share one import.
  key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  if (importedKeys.size >= MAX_CACHED_KEYS) {
    const oldest = importedKeys.keys().next().value;
    if (oldest !== undefined) importedKeys.delete(oldest);
  }
  importedKeys.set(sdkKey, key);
  const cached = key;
  key.catch(() => {
    if (importedKeys.get(sdkKey) === cached) importedKeys.delete(sdkKey);
  });
  return key;
}

/** HMAC-SHA256 of `canonicalKey` keyed with `sdkKey`, as lowercase hex. */
export async function secureModeHash(sdkKey: string, canonicalKey: string): Promise<string> {
  const key = await importKey(sdkKey);
  const signature = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, encoder.encode(canonicalKey)),
  );
  let hex = '';
  for (let i = 0; i < signature.length; i++) hex += HEX[signature[i]];
  return hex;
}
