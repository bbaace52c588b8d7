// The synchronous SHA-256 and HMAC-SHA256 agree with Node's crypto on every length around the
// block and padding boundaries, on non-ASCII text, and on keys longer than a block.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex, sha256 } from '../../src/crypto/sha256.js';
import type { LDContext } from '../../src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('matches node:crypto for every length from 0 to 200 bytes', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(hex(sha256(bytes)), `length ${n}`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('hmacSha256Hex', () => {
  it('matches node:crypto for empty, short, block-sized, long and non-ASCII keys and messages', () => {
    const keys = ['', 'sdk-key', 'k'.repeat(64), 'k'.repeat(65), 'sdk-ä€😀'.repeat(20)];
    const messages = ['', 'user-key', 'org:acme:user:ann%3A1', 'ü'.repeat(100)];
    for (const key of keys) {
      for (const message of messages) {
        expect(hmacSha256Hex(key, message)).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });
});

describe('secureModeHashSync', () => {
  it('is the async secureModeHash, synchronously, for single- and multi-kind contexts', async () => {
    const { init } = await import('../../src/index.js');
    const { recordingLogger } = await import('../helpers/logger.js');
    const logger = recordingLogger();
    const client = init('sdk-secure-sync', { payload: '{"flags":{},"segments":{}}', sendEvents: false, logger });
    const contexts: LDContext[] = [
      { kind: 'user', key: 'ann' },
      { kind: 'org', key: 'acme:1%' },
      { kind: 'multi', user: { key: 'ann' }, org: { key: 'acme' } },
    ];
    for (const context of contexts) {
      const hash = client.secureModeHashSync(context);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toBe(await client.secureModeHash(context));
    }
    expect(`${client.secureModeHashSync({ key: 'ann' })}`).toBe(
      createHmac('sha256', 'sdk-secure-sync').update('ann').digest('hex'),
    );
    expect(client.secureModeHashSync({ kind: 'user' } as never)).toBeUndefined();
    expect(logger.lines).toEqual(['warn: secureModeHashSync: invalid context: context needs a non-empty string "key"']);
    await client.close();
  });
});
