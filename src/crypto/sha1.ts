// SHA-1 (FIPS 180-4, section 6.1), synchronous and allocation-free on the
// bucketing hot path. Web Crypto's digest() is async, which rules it out for
// per-evaluation bucketing, so we carry our own.

// Reusable scratch. Only touched synchronously, so sharing it is safe.
let buf = new Uint8Array(256);
const W = new Int32Array(80);
const H = new Int32Array(5);
/** Shared with the HMAC helper: one UTF-8 encoder is enough. */
export const encoder = new TextEncoder();

// Scratch with room for `n` bytes; a rare huge input gets its own, so that it
// does not pin megabytes for the life of the isolate.
function scratch(n: number): Uint8Array {
  if (n <= buf.length) return buf;
  const bytes = new Uint8Array(n);
  if (n <= 65536) buf = bytes;
  return bytes;
}

function compress(src: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++, off += 4) {
    W[t] = (src[off] << 24) | (src[off + 1] << 16) | (src[off + 2] << 8) | src[off + 3];
  }
  for (let t = 16; t < 80; t++) {
    const w = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16];
    W[t] = (w << 1) | (w >>> 31);
  }
  let a = H[0];
  let b = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  let tmp = 0;
  let t = 0;
  // One loop per round function keeps f and K branch-free; a single loop
  // choosing them per round is about a fifth slower.
  for (; t < 20; t++) {
    tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + 0x5a827999 + e + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 40; t++) {
    tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + e + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 60; t++) {
    tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc + e + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 80; t++) {
    tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0xca62c1d6 + e + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  H[0] += a;
  H[1] += b;
  H[2] += c;
  H[3] += d;
  H[4] += e;
}

// Hashes bytes[0..n) into H, padding in place: `bytes` must have 128 bytes
// of room after them.
function run(bytes: Uint8Array, n: number): void {
  H[0] = 0x67452301;
  H[1] = 0xefcdab89;
  H[2] = 0x98badcfe;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0;
  // 0x80 terminator, zeros, then the 64-bit big-endian bit length: the
  // padded length is the multiple of 64 that fits those 9 bytes more.
  const end = (n + 72) & ~63;
  bytes[n] = 0x80;
  bytes.fill(0, n + 1, end);
  // A byte store truncates and keeps the low 8 bits, so shifting right by 8 is a division: the
  // bit count may exceed 32 bits, and dividing a double by 256 is exact.
  for (let i = end - 1, bits = n * 8; i >= end - 8; i--, bits /= 256) bytes[i] = bits;
  for (let off = 0; off < end; off += 64) compress(bytes, off);
}

// Hashes the UTF-8 encoding of `s` (lone surrogates as U+FFFD, like
// TextEncoder). ASCII, the usual case, is copied in directly.
function runString(s: string): void {
  const len = s.length;
  // Each UTF-16 unit yields at most 3 bytes.
  const bytes = scratch(len * 3 + 128);
  let i = 0;
  for (let c = 0; i < len && (c = s.charCodeAt(i)) < 0x80; i++) bytes[i] = c;
  run(bytes, i < len ? encoder.encodeInto(s, bytes).written : len);
}

/** SHA-1 digest of `bytes` (20 bytes). */
export function sha1(bytes: Uint8Array): Uint8Array {
  const copy = scratch(bytes.length + 128);
  copy.set(bytes);
  run(copy, bytes.length);
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = H[i >> 2] >>> (24 - 8 * (i & 3));
  return out;
}

/** Lowercase hex SHA-1 of the UTF-8 encoding of `input`. */
export function sha1Hex(input: string): string {
  runString(input);
  let s = '';
  for (let i = 0; i < 5; i++) s += (H[i] >>> 0).toString(16).padStart(8, '0');
  return s;
}

/**
 * Same value as `parseInt(sha1Hex(input).substring(0, 15), 16) / 0xFFFFFFFFFFFFFFF`
 * without building strings: 15 hex digits = h0 (32 bits) + top 28 bits of h1.
 */
export function bucketFraction(input: string): number {
  runString(input);
  // The 60-bit sum is rounded to nearest once, as parseInt rounds its exact
  // radix-16 value, so the division sees the same double as the reference.
  return ((H[0] >>> 0) * 0x10000000 + (H[1] >>> 4)) / 0xfffffffffffffff;
}
