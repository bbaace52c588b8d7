/**
 * The secure-mode hash client-side SDKs send to prove a context was vouched for by the server:
 * HMAC-SHA256 of the context's canonical key, keyed with the SDK key, in lowercase hex.
 */

const encoder = new TextEncoder();

/** Imported keys by SDK key; a process rarely holds more than one, so a few slots suffice. */
const importedKeys = new Map<string, Promise<CryptoKey>>();

function importKey(sdkKey: string): Promise<CryptoKey> {
  let key = importedKeys.get(sdkKey);
  if (key === undefined) {
    // Web Crypto refuses an empty HMAC key. HMAC zero-pads short keys to the block size, so a
    // single zero byte is the same key and gives the same hash as Node's createHmac('sha256', '').
    const bytes = sdkKey === '' ? new Uint8Array(1) : encoder.encode(sdkKey);
    // The promise is cached, not the key, so concurrent first calls share one import.
    const importing = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    if (importedKeys.size >= 4) importedKeys.clear();
    importedKeys.set(sdkKey, importing);
    importing.catch(() => importedKeys.get(sdkKey) === importing && importedKeys.delete(sdkKey));
    key = importing;
  }
  return key;
}

/** HMAC-SHA256 of `canonicalKey` keyed with `sdkKey`, as lowercase hex. */
export async function secureModeHash(sdkKey: string, canonicalKey: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await importKey(sdkKey), encoder.encode(canonicalKey));
  return Array.from(new Uint8Array(signature), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
