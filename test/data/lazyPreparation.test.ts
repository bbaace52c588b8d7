// The payload is parsed once; each flag is prepared the first time it is evaluated and reused.
import { describe, expect, it } from 'vitest';
import { init, silentLoggerForTests } from '../helpers/sdk.js';

function countingFlag(key: string, counter: { reads: number }): Record<string, unknown> {
  const rules = [
    {
      id: 'r',
      clauses: [{ contextKind: 'user', attribute: 'email', op: 'matches', values: ['@example\\.com$'] }],
      variation: 1,
    },
  ];
  return {
    key,
    version: 1,
    on: true,
    get rules() {
      counter.reads++;
      return rules;
    },
    fallthrough: { variation: 0 },
    offVariation: 0,
    variations: [false, true],
    salt: key,
  };
}

describe('parse once, prepare lazily', () => {
  it('prepares a flag on first evaluation only, and once', () => {
    const a = { reads: 0 };
    const b = { reads: 0 };
    const client = init('k', {
      payload: { flags: { a: countingFlag('a', a), b: countingFlag('b', b) }, segments: {} } as never,
      logger: silentLoggerForTests,
    });
    expect(a.reads).toBe(0);
    expect(b.reads).toBe(0);
    for (let i = 0; i < 50; i++) {
      expect(client.variation('a', { kind: 'user', key: `u${i}`, email: 'x@example.com' }, null)).toBe(true);
    }
    expect(a.reads).toBe(1);
    expect(b.reads).toBe(0);
  });

  it('a broken flag does not stop the others from loading or evaluating', () => {
    const client = init('k', {
      payload: {
        flags: {
          good: { key: 'good', version: 1, on: false, offVariation: 0, variations: ['ok'] },
          broken: { key: 'broken', version: 1, on: true, rules: 'not a list', variations: [1] },
        },
        segments: {},
      } as never,
      logger: silentLoggerForTests,
    });
    expect(client.variation('good', { key: 'u' }, 'default')).toBe('ok');
    expect(client.variationDetail('broken', { key: 'u' }, 'default').reason).toEqual({
      kind: 'ERROR',
      errorKind: 'MALFORMED_FLAG',
    });
  });

  it('deleted items are treated as absent', () => {
    const client = init('k', {
      payload: {
        flags: { gone: { key: 'gone', version: 2, deleted: true } },
        segments: {},
      } as never,
      logger: silentLoggerForTests,
    });
    expect(client.variationDetail('gone', { key: 'u' }, 'd').reason).toEqual({
      kind: 'ERROR',
      errorKind: 'FLAG_NOT_FOUND',
    });
  });
});
