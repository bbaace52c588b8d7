// Malformed flags, segments and contexts must never throw out of evaluation: each gives the
// caller's default with an ERROR reason (or, where the damage left a valid flag, a real variation).
import { describe, expect, it } from 'vitest';
import { init, silentLoggerForTests, type LDEvaluationDetail } from '../helpers/sdk.js';
import { Random } from '../helpers/random.js';

const DEFAULT = 'the-default';

function baseFlag(key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key,
    version: 1,
    on: true,
    prerequisites: [],
    targets: [{ values: ['u1'], variation: 1 }],
    contextTargets: [{ contextKind: 'org', values: ['o1'], variation: 0 }],
    rules: [
      {
        id: 'r0',
        clauses: [{ contextKind: 'user', attribute: '/address/city', op: 'in', values: ['Oslo'], negate: false }],
        rollout: { variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }], bucketBy: 'email' },
      },
      {
        id: 'r1',
        clauses: [{ attribute: 'segmentMatch', op: 'segmentMatch', values: ['seg'], negate: false }],
        variation: 0,
      },
    ],
    fallthrough: { variation: 0 },
    offVariation: 1,
    variations: ['a', 'b'],
    salt: 'salt',
    ...extra,
  };
}

function baseSegment(key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key,
    version: 1,
    included: ['u2'],
    excluded: [],
    includedContexts: [{ contextKind: 'org', values: ['o2'] }],
    excludedContexts: [],
    rules: [{ id: 's0', clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }], weight: 60000 }],
    salt: 'segsalt',
    ...extra,
  };
}

function junk(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 2, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 99999]);
    case 3:
      return r.string();
    case 4:
      return '';
    case 5:
      return undefined;
    case 6:
      return r.pick(['__proto__', 'constructor', 'prototype', '/a/b', '~2', '/', '//']);
    case 7:
      return 'x'.repeat(r.pick([1000, 100000]));
    case 8:
      return Array.from({ length: r.int(4) }, () => junk(r, depth + 1));
    case 9:
      return JSON.parse('{"__proto__": {"polluted": true}, "key": "k", "values": ["a"]}');
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) o[r.pick(['key', 'variation', 'values', 'op', 'kind', r.string(4)])] = junk(r, depth + 1);
      return o;
    }
  }
}

/** Replaces one value somewhere inside `value` with junk. */
function mutate(r: Random, value: unknown, depth = 0): unknown {
  if (depth > 0 && r.chance(0.3)) return junk(r);
  if (Array.isArray(value)) {
    if (value.length === 0) return r.chance(0.5) ? junk(r) : [junk(r)];
    const copy = value.slice();
    const i = r.int(copy.length);
    copy[i] = mutate(r, copy[i], depth + 1);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0) return junk(r);
    const k = r.pick(keys);
    if (r.chance(0.1)) delete copy[k];
    else copy[k] = mutate(r, copy[k], depth + 1);
    return copy;
  }
  return junk(r);
}

function randomContext(r: Random): unknown {
  const good = [
    { kind: 'user', key: 'u1', email: 'e@x', address: { city: 'Oslo' }, plan: 'pro' },
    { kind: 'multi', user: { key: 'u2' }, org: { key: 'o1' } },
    { key: 'legacy', custom: { plan: 'pro' } },
  ];
  const base = r.pick(good);
  return r.chance(0.4) ? mutate(r, base) : base;
}

function expectSafe(detail: LDEvaluationDetail<unknown>, variations: unknown): void {
  if (detail.reason.kind === 'ERROR') {
    expect(detail.value).toBe(DEFAULT);
    expect(detail.variationIndex).toBeUndefined();
  } else if (detail.variationIndex !== undefined) {
    expect(Array.isArray(variations) && variations[detail.variationIndex]).toEqual(detail.value);
  } else {
    // No variation chosen (an off flag without an off variation): the default applies.
    expect(detail.value).toBe(DEFAULT);
  }
}

describe('malformed data never throws', () => {
  it('randomly damaged flags, segments and contexts give the default or a real variation', () => {
    const r = new Random(20261124);
    let errors = 0;
    for (let i = 0; i < 4000; i++) {
      const flag = r.chance(0.9) ? mutate(r, baseFlag('f')) : junk(r);
      const prereq = r.chance(0.2) ? mutate(r, baseFlag('p')) : baseFlag('p');
      const segment = r.chance(0.5) ? mutate(r, baseSegment('seg')) : baseSegment('seg');
      const payload = { flags: { f: flag, p: prereq }, segments: { seg: segment } };
      const client = init('sdk-key', { payload: payload as never, logger: silentLoggerForTests });
      const context = randomContext(r);
      const variations = (flag as { variations?: unknown } | null)?.variations;
      const detail = client.variationDetail('f', context as never, DEFAULT);
      expectSafe(detail, variations);
      if (detail.reason.kind === 'ERROR') errors++;
      expect(() => client.variation('f', context as never, DEFAULT)).not.toThrow();
    }
    // The damage must actually reach the error paths, or this test proves nothing.
    expect(errors).toBeGreaterThan(200);
  });

  it('prerequisite cycles are MALFORMED_FLAG', () => {
    const payload = {
      flags: {
        a: baseFlag('a', { prerequisites: [{ key: 'b', variation: 0 }] }),
        b: baseFlag('b', { prerequisites: [{ key: 'c', variation: 0 }] }),
        c: baseFlag('c', { prerequisites: [{ key: 'a', variation: 0 }] }),
        self: baseFlag('self', { prerequisites: [{ key: 'self', variation: 0 }] }),
      },
      segments: {},
    };
    const client = init('k', { payload: payload as never, logger: silentLoggerForTests });
    for (const key of ['a', 'b', 'c', 'self']) {
      expect(client.variationDetail(key, { key: 'x' }, DEFAULT)).toEqual({
        value: DEFAULT,
        variationIndex: undefined,
        reason: { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' },
      });
    }
  });

  it('segment cycles are MALFORMED_FLAG', () => {
    const segRule = (target: string) => [
      { id: 'r', clauses: [{ attribute: '', op: 'segmentMatch', values: [target] }] },
    ];
    const payload = {
      flags: {
        f: baseFlag('f', {
          targets: [],
          contextTargets: [],
          rules: [{ id: 'r', clauses: [{ attribute: '', op: 'segmentMatch', values: ['s1'] }], variation: 0 }],
        }),
      },
      segments: {
        s1: baseSegment('s1', { included: [], includedContexts: [], rules: segRule('s2') }),
        s2: baseSegment('s2', { included: [], includedContexts: [], rules: segRule('s1') }),
      },
    };
    const client = init('k', { payload: payload as never, logger: silentLoggerForTests });
    expect(client.variationDetail('f', { key: 'x' }, DEFAULT).reason).toEqual({
      kind: 'ERROR',
      errorKind: 'MALFORMED_FLAG',
    });
  });

  it('invalid contexts are USER_NOT_SPECIFIED', () => {
    const client = init('k', {
      payload: { flags: { f: baseFlag('f') }, segments: {} } as never,
      logger: silentLoggerForTests,
    });
    const invalid: unknown[] = [
      null,
      undefined,
      'u1',
      42,
      [],
      {},
      { kind: 'user' },
      { kind: 'user', key: '' },
      { kind: 'user', key: 7 },
      { kind: 'kind', key: 'k' },
      { kind: 'bad kind!', key: 'k' },
      { kind: 'multi' },
      { kind: 'multi', user: { name: 'no key' } },
      { kind: 'multi', multi: { key: 'k' } },
      { key: null },
    ];
    for (const context of invalid) {
      expect(client.variationDetail('f', context as never, DEFAULT)).toEqual({
        value: DEFAULT,
        variationIndex: undefined,
        reason: { kind: 'ERROR', errorKind: 'USER_NOT_SPECIFIED' },
      });
    }
  });

  it('`__proto__` keys neither pollute nor resolve to inherited properties', () => {
    const payload = JSON.parse(
      '{"flags": {"__proto__": {"key": "__proto__", "version": 1, "on": false, "offVariation": 0, "variations": [1]}}, "segments": {}}',
    );
    const client = init('k', { payload, logger: silentLoggerForTests });
    expect(client.variation('__proto__', { key: 'x' }, 0)).toBe(1);
    expect(client.variationDetail('constructor', { key: 'x' }, 0).reason).toEqual({
      kind: 'ERROR',
      errorKind: 'FLAG_NOT_FOUND',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ctx = JSON.parse('{"kind": "user", "key": "u", "__proto__": {"plan": "pro"}}');
    const ruleClient = init('k', {
      payload: {
        flags: {
          f: baseFlag('f', {
            targets: [],
            contextTargets: [],
            rules: [{ id: 'r', clauses: [{ attribute: 'toString', op: 'in', values: ['x'], negate: true }], variation: 1 }],
          }),
        },
        segments: {},
      } as never,
      logger: silentLoggerForTests,
    });
    // `toString` is inherited, not an attribute: the clause must not match even negated.
    expect(ruleClient.variationDetail('f', ctx, DEFAULT).reason.kind).toBe('FALLTHROUGH');
  });
});
