// SHA-1 (FIPS 180-4, section 6.1), synchronous and allocation-free on the
// bucketing hot path. Web Crypto's digest() is async, which rules it out for
// per-evaluation bucketing, so we carry our own.

// Reusable scratch. Only touched synchronously, so sharing it is safe.
let buf = new Uint8Array(256);
const W = new Int32Array(80);
const H = new Int32Array(5);
// Holds the final partial block(s) when hashing caller-owned bytes.
const tailBuf = new Uint8Array(128);

function compress(src: Uint8Array, off: number): void {
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let tmp: number;
  let w: number;
  let t = 0;
  // Schedule expansion is fused into the rounds; separate loops per 20 rounds
  // keep f and K branch-free.
  for (; t < 16; t++, off += 4) {
    w = (src[off]! << 24) | (src[off + 1]! << 16) | (src[off + 2]! << 8) | src[off + 3]!;
    W[t] = w;
    tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 20; t++) {
    w = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    w = (w << 1) | (w >>> 31);
    W[t] = w;
    tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 40; t++) {
    w = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    w = (w << 1) | (w >>> 31);
    W[t] = w;
    tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 60; t++) {
    w = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    w = (w << 1) | (w >>> 31);
    W[t] = w;
    tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 80; t++) {
    w = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    w = (w << 1) | (w >>> 31);
    W[t] = w;
    tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }

  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
}

// Hashes src[0..n) into H. When src is the shared `buf`, padding is written in
// place (callers guarantee room for it); otherwise the tail is copied to tailBuf.
function run(src: Uint8Array, n: number): void {
  H[0] = 0x67452301;
  H[1] = 0xefcdab89 | 0;
  H[2] = 0x98badcfe | 0;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0 | 0;

  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) compress(src, off);

  const rem = n - full;
  let tail: Uint8Array;
  let start: number;
  if (src === buf) {
    tail = buf;
    start = full;
  } else {
    tail = tailBuf;
    start = 0;
    for (let i = 0; i < rem; i++) tailBuf[i] = src[full + i]!;
  }

  // 0x80 terminator, zeros, then the 64-bit big-endian bit length; one extra
  // block is needed when fewer than 8 bytes remain after the terminator.
  const end = start + (rem < 56 ? 64 : 128);
  tail[start + rem] = 0x80;
  for (let i = start + rem + 1; i < end - 8; i++) tail[i] = 0;
  const hi = Math.floor(n / 0x20000000); // n * 8 may exceed 32 bits
  const lo = (n * 8) >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = lo >>> 16;
  tail[end - 2] = lo >>> 8;
  tail[end - 1] = lo;
  for (let off = start; off < end; off += 64) compress(tail, off);
}

// UTF-8 encodes s into `buf` (growing it if needed) and returns the byte
// length. Lone surrogates become U+FFFD, matching TextEncoder.
function encodeIntoBuf(s: string): number {
  const len = s.length;
  // Each UTF-16 unit yields at most 3 bytes; +128 leaves room for padding.
  const need = len * 3 + 128;
  if (buf.length < need) {
    let size = buf.length * 2;
    while (size < need) size *= 2;
    buf = new Uint8Array(size);
  }
  const out = buf;
  let p = 0;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >>> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < len ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[p++] = 0xf0 | (c >>> 18);
          out[p++] = 0x80 | ((c >>> 12) & 0x3f);
          out[p++] = 0x80 | ((c >>> 6) & 0x3f);
          out[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[p++] = 0xe0 | (c >>> 12);
      out[p++] = 0x80 | ((c >>> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

/** SHA-1 digest of `bytes` (20 bytes). */
export function sha1(bytes: Uint8Array): Uint8Array {
  run(bytes, bytes.length);
  const out = new Uint8Array(20);
  for (let i = 0; i < 5; i++) {
    const h = H[i]!;
    out[i * 4] = h >>> 24;
    out[i * 4 + 1] = h >>> 16;
    out[i * 4 + 2] = h >>> 8;
    out[i * 4 + 3] = h;
  }
  return out;
}

// A rare huge input should not pin megabytes for the life of the isolate.
function releaseLargeBuffer(): void {
  if (buf.length > 65536) buf = new Uint8Array(256);
}

/** Lowercase hex SHA-1 of the UTF-8 encoding of `input`. */
export function sha1Hex(input: string): string {
  const n = encodeIntoBuf(input); // may replace `buf`, so read it after
  run(buf, n);
  releaseLargeBuffer();
  let s = '';
  for (let i = 0; i < 5; i++) {
    const h = H[i]!;
    s += HEX[h >>> 24]! + HEX[(h >>> 16) & 0xff]! + HEX[(h >>> 8) & 0xff]! + HEX[h & 0xff]!;
  }
  return s;
}

/**
 * Same value as `parseInt(sha1Hex(input).substring(0, 15), 16) / 0xFFFFFFFFFFFFFFF`
 * without building strings: 15 hex digits = h0 (32 bits) + top 28 bits of h1.
 */
export function bucketFraction(input: string): number {
  const n = encodeIntoBuf(input); // may replace `buf`, so read it after
  run(buf, n);
  releaseLargeBuffer();
  // The 60-bit sum is rounded to nearest once, as parseInt rounds its exact
  // radix-16 value, so the division sees the same double as the reference.
  return ((H[0]! >>> 0) * 0x10000000 + (H[1]! >>> 4)) / 0xfffffffffffffff;
}
