// secureModeHash against published values and against Node's own HMAC.
import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { isContextError, toContext } from '../../src/context.js';
import { secureModeHash } from '../../src/crypto/hmac.js';
import { Random } from '../helpers/random.js';

function nodeHmac(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

function canonicalKey(input: unknown): string {
  const context = toContext(input);
  if (isContextError(context)) throw new Error(context);
  return context.canonicalKey;
}

describe('secureModeHash', () => {
  it('matches the value LaunchDarkly documents', async () => {
    expect(await secureModeHash('secret', 'Message')).toBe(
      'aa747c502a898200f9e4fa21bac68136f886a0e27aec70ba06daf2e2a5cb5597',
    );
  });

  it('matches RFC 4231 test case 2', async () => {
    expect(await secureModeHash('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('escapes multi-kind canonical keys before hashing', async () => {
    const key = canonicalKey({ kind: 'multi', org: { key: 'o:1' }, user: { key: 'u%1' } });
    expect(key).toBe('org:o%3A1:user:u%251');
    expect(await secureModeHash('sdk-key', key)).toBe(nodeHmac('sdk-key', key));
  });

  it('hashes a user by its bare key and other kinds as kind:key', async () => {
    expect(canonicalKey({ key: 'u1' })).toBe('u1');
    expect(canonicalKey({ kind: 'user', key: 'u1' })).toBe('u1');
    expect(canonicalKey({ kind: 'org', key: 'o1' })).toBe('org:o1');
    for (const input of [{ key: 'u1' }, { kind: 'org', key: 'o1' }]) {
      const key = canonicalKey(input);
      expect(await secureModeHash('sdk-abc', key)).toBe(nodeHmac('sdk-abc', key));
    }
  });

  it('agrees with node:crypto on random keys and contexts', async () => {
    const r = new Random(20240611);
    const kinds = ['user', 'org', 'device', 'a.b', 'x_y-z'];
    for (let i = 0; i < 300; i++) {
      const sdkKey = r.chance(0.1) ? `sdk-${crypto.randomUUID()}` : r.string(80);
      let message: string;
      if (r.chance(0.5)) {
        message = r.string(40);
      } else {
        const members: Record<string, unknown> = { kind: 'multi' };
        const n = 1 + r.int(3);
        for (let k = 0; k < n; k++) members[r.pick(kinds)] = { key: `${r.string(6)}:${r.string(6)}%` };
        message = canonicalKey(members);
      }
      expect(await secureModeHash(sdkKey, message)).toBe(nodeHmac(sdkKey, message));
    }
  });

  it('handles an empty SDK key or context key the way Node does', async () => {
    expect(await secureModeHash('', 'user-key')).toBe(nodeHmac('', 'user-key'));
    expect(await secureModeHash('sdk-key', '')).toBe(nodeHmac('sdk-key', ''));
    expect(await secureModeHash('', '')).toBe(nodeHmac('', ''));
  });

  it('handles keys longer than the HMAC block size', async () => {
    const sdkKey = 'k'.repeat(200);
    expect(await secureModeHash(sdkKey, 'm')).toBe(nodeHmac(sdkKey, 'm'));
  });

  it('gives consistent answers to concurrent calls and many SDK keys', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `sdk-${i}`);
    const results = await Promise.all(
      keys.flatMap((k) => [secureModeHash(k, 'ctx'), secureModeHash(k, 'ctx')]),
    );
    keys.forEach((k, i) => {
      expect(results[2 * i]).toBe(nodeHmac(k, 'ctx'));
      expect(results[2 * i + 1]).toBe(results[2 * i]);
    });
  });

  it('imports each SDK key once while it stays cached', async () => {
    const spy = vi.spyOn(crypto.subtle, 'importKey');
    try {
      for (let i = 0; i < 5; i++) await secureModeHash('sdk-once', `ctx-${i}`);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
