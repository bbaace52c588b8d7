import { describe, it, expect, vi } from 'vitest';
import { sha1, sha1Hex, bucketFraction } from '../../src/crypto/sha1.js';

// Reference implementation: Web Crypto, independent of our code.
const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

async function refDigest(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bytes));
}

async function refHex(s: string): Promise<string> {
  return toHex(await refDigest(encoder.encode(s)));
}

function refFraction(hex: string): number {
  return parseInt(hex.substring(0, 15), 16) / 0xfffffffffffffff;
}

// mulberry32: small seeded PRNG so failures are reproducible.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function asciiString(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(randInt(rand, 0, 127));
  return s;
}

// A random char whose UTF-8 length is `bytes` (1..4). Lone surrogates encode
// as U+FFFD (3 bytes) so they count as 3-byte chars.
function charOfBytes(rand: () => number, bytes: number): string {
  switch (bytes) {
    case 1:
      return String.fromCharCode(randInt(rand, 0, 0x7f));
    case 2:
      return String.fromCharCode(randInt(rand, 0x80, 0x7ff));
    case 3: {
      const r = rand();
      if (r < 0.15) return String.fromCharCode(randInt(rand, 0xd800, 0xdbff)); // lone high
      if (r < 0.3) return String.fromCharCode(randInt(rand, 0xdc00, 0xdfff)); // lone low
      let c: number;
      do c = randInt(rand, 0x800, 0xffff);
      while (c >= 0xd800 && c <= 0xdfff);
      return String.fromCharCode(c);
    }
    default:
      return rand() < 0.5
        ? String.fromCodePoint(randInt(rand, 0x1f300, 0x1faff)) // emoji range
        : String.fromCodePoint(randInt(rand, 0x10000, 0x10ffff));
  }
}

function mixedString(rand: () => number, chars: number): string {
  let s = '';
  for (let i = 0; i < chars; i++) s += charOfBytes(rand, randInt(rand, 1, 4));
  return s;
}

// Builds a string whose UTF-8 encoding is exactly `target` bytes (the caller
// re-checks the length with TextEncoder).
function stringOfByteLength(rand: () => number, target: number, multiByte: boolean): string {
  let s = '';
  let n = 0;
  while (n < target) {
    const size = multiByte ? randInt(rand, 1, Math.min(4, target - n)) : 1;
    let ch = charOfBytes(rand, size);
    // Avoid a lone high + lone low pair fusing into one 4-byte char.
    const prev = s.charCodeAt(s.length - 1);
    const first = ch.charCodeAt(0);
    if (prev >= 0xd800 && prev <= 0xdbff && first >= 0xdc00 && first <= 0xdfff) ch = '\u20ac';
    s += ch;
    n += size;
  }
  return s;
}

async function checkString(s: string): Promise<void> {
  const bytes = encoder.encode(s);
  const expected = await refDigest(bytes);
  const hex = toHex(expected);
  expect(sha1(bytes)).toEqual(expected);
  expect(sha1Hex(s)).toBe(hex);
  expect(bucketFraction(s)).toBe(refFraction(hex));
}

describe('sha1 known vectors (FIPS 180)', () => {
  const vectors: Array<[string, string]> = [
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    ],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'a49b2446a02c645bf419f995b67091253a04a259',
    ],
    ['a'.repeat(1_000_000), '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
  ];
  for (const [input, digest] of vectors) {
    it(`hashes ${input.length > 20 ? `${input.slice(0, 20)}… (${input.length})` : JSON.stringify(input)}`, async () => {
      expect(sha1Hex(input)).toBe(digest);
      expect(toHex(sha1(encoder.encode(input)))).toBe(digest);
      expect(await refHex(input)).toBe(digest);
      expect(bucketFraction(input)).toBe(refFraction(digest));
    });
  }
});

describe('sha1 vs Web Crypto', () => {
  it('matches on random ASCII strings', async () => {
    const rand = prng(1);
    for (let i = 0; i < 500; i++) await checkString(asciiString(rand, randInt(rand, 0, 200)));
  });

  it('matches on random multi-byte strings (2/3/4-byte, emoji, lone surrogates)', async () => {
    const rand = prng(2);
    for (let i = 0; i < 500; i++) await checkString(mixedString(rand, randInt(rand, 0, 120)));
  });

  it('matches for every UTF-8 byte length 0..130 (block edges)', async () => {
    const rand = prng(3);
    for (let len = 0; len <= 130; len++) {
      for (const multi of [false, true, true, true]) {
        const s = stringOfByteLength(rand, len, multi);
        expect(encoder.encode(s).length).toBe(len);
        await checkString(s);
      }
    }
  });

  it('handles surrogate edge cases like TextEncoder', async () => {
    const cases = [
      '\ud83d\ude00', // valid pair
      '\ud83d', // lone high at end
      '\ude00', // lone low
      '\ude00\ud83d', // reversed pair
      '\ud83d\ud83d\ude00', // high, then pair
      'a\ud83db', // lone high between ASCII
      '\udbff\udfff', // U+10FFFF
      '\ud800\udc00', // U+10000
      '\u007f\u0080\u07ff\u0800\uffff',
    ];
    for (const s of cases) await checkString(s);
  });

  it('matches on long inputs and reuses buffers correctly afterwards', async () => {
    const rand = prng(4);
    const inputs = [
      asciiString(rand, 10_240),
      mixedString(rand, 10_000),
      'x',
      asciiString(rand, 40),
      mixedString(rand, 100_000),
      '',
      'short after long',
    ];
    for (const s of inputs) await checkString(s);
  });

  it('grows the encode buffer correctly (fresh module state)', async () => {
    // Other tests may already have grown the shared buffer; start from scratch.
    vi.resetModules();
    const fresh = await import('../../src/crypto/sha1.js');
    const rand = prng(7);
    for (const len of [10, 100, 300, 1000, 5000, 50, 20000]) {
      const s = len % 20 === 0 ? asciiString(rand, len) : mixedString(rand, len);
      const hex = await refHex(s);
      expect(fresh.sha1Hex(s)).toBe(hex);
      vi.resetModules();
      const fresh2 = await import('../../src/crypto/sha1.js');
      expect(fresh2.bucketFraction(s)).toBe(refFraction(hex));
    }
  });

  it('sha1() matches on random bytes, including offset subarray views', async () => {
    const rand = prng(5);
    for (let len = 0; len <= 300; len++) {
      const backing = new Uint8Array(len + 7);
      for (let i = 0; i < backing.length; i++) backing[i] = randInt(rand, 0, 255);
      const view = backing.subarray(3, 3 + len);
      expect(sha1(view)).toEqual(await refDigest(view));
    }
  });

  it('bucketFraction stays in [0, 1] and is deterministic', () => {
    const rand = prng(6);
    for (let i = 0; i < 1000; i++) {
      const s = asciiString(rand, 40);
      const f = bucketFraction(s);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThanOrEqual(1);
      expect(bucketFraction(s)).toBe(f);
    }
  });
});
