// Differential test: LaunchDarkly's Node SDK and ldedge evaluate the same seeded random flags,
// segments and contexts side by side; any difference in value, variation or reason fails.
import * as ld from '@launchdarkly/node-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type LDClient } from '../../src/index.js';
import { Random } from '../helpers/random.js';
import { silentLoggerForTests } from '../helpers/sdk.js';

const CASES = 10000;
const CONTEXTS_PER_CASE = 4;
const KINDS = ['user', 'org'];
const ATTRS = ['key', 'name', 'email', 'country', 'age', 'version', 'when', 'groups', 'o', 'anonymous'];
const STRINGS = ['', 'a', 'ab', 'abc', 'b@x.com', 'c@x', 'us', 'de', '1.2.3', '2.0.0', 'u1', 'u2', 'o1'];
const OPS = ['in', 'startsWith', 'endsWith', 'contains', 'matches', 'lessThan', 'lessThanOrEqual', 'greaterThan',
  'greaterThanOrEqual', 'semVerEqual', 'semVerLessThan', 'semVerGreaterThan', 'before', 'after', 'segmentMatch'];

type Json = Record<string, unknown>;

function value(r: Random): unknown {
  switch (r.int(7)) {
    case 0: return r.pick(STRINGS);
    case 1: return r.int(40);
    case 2: return r.chance(0.5);
    case 3: return r.pick([0, 1_600_000_000_000, 1_900_000_000_000, '2020-01-01T00:00:00Z', '2030-06-01T00:00:00.5+02:00']);
    case 4: return r.pick(['1.2.3', '2.0.0', '1.2.3-beta', '1.10.0', 'v1', '1.2']);
    case 5: return r.pick(['^a', 'b$', '[', 'x.*']);
    // Objects and arrays: LaunchDarkly's "in" compares them by identity, so they never match.
    default: return r.pick([{ a: 1 }, [1], [], null]);
  }
}

function clause(r: Random, segments: string[]): Json {
  const op = r.pick(OPS);
  if (op === 'segmentMatch') return { attribute: '', op, values: segments.length ? [r.pick(segments)] : ['none'], negate: r.chance(0.2) };
  const c: Json = { attribute: r.pick(ATTRS), op, values: Array.from({ length: 1 + r.int(3) }, () => value(r)), negate: r.chance(0.2) };
  if (r.chance(0.5)) c.contextKind = r.pick(KINDS);
  return c;
}

function outcome(r: Random): Json {
  // Now and then a variation the flag does not have: a malformed flag.
  if (r.chance(0.6)) return { variation: r.chance(0.03) ? 3 : r.int(3) };
  const a = r.int(100_001);
  const b = r.int(100_001 - a);
  const rollout: Json = { variations: [{ variation: 0, weight: a }, { variation: 1, weight: b }, { variation: 2, weight: 100_000 - a - b }] };
  if (r.chance(0.3)) rollout.bucketBy = r.pick(['name', 'age', 'key']);
  if (r.chance(0.3)) rollout.seed = r.int(1000);
  if (r.chance(0.3)) rollout.contextKind = r.pick(KINDS);
  if (r.chance(0.2)) rollout.kind = 'experiment';
  return { rollout };
}

function targets(r: Random): Json[] {
  return Array.from({ length: r.int(3) }, () => ({ variation: r.int(3), values: Array.from({ length: r.int(3) }, () => r.pick(['u1', 'u2', 'o1', '123', 'k'])) }));
}

function segment(r: Random, key: string): Json {
  return {
    key, version: 1, salt: 's',
    included: r.chance(0.3) ? ['u1'] : [], excluded: r.chance(0.3) ? ['u2'] : [],
    includedContexts: r.chance(0.3) ? [{ contextKind: r.pick(KINDS), values: ['o1', 'u1'] }] : [],
    excludedContexts: [],
    rules: Array.from({ length: r.int(2) }, (_, i) => ({ id: `sr${i}`, clauses: [clause(r, [])] })),
  };
}

function flag(r: Random, key: string, prereqs: string[], segments: string[]): Json {
  const f: Json = {
    key, version: 1 + r.int(5), on: r.chance(0.85), salt: r.string(4), variations: ['v0', 'v1', 'v2'],
    offVariation: r.chance(0.9) ? r.int(3) : undefined, fallthrough: outcome(r), targets: targets(r),
    contextTargets: r.chance(0.5) ? targets(r).map((t) => ({ ...t, contextKind: r.pick(KINDS) })) : [],
    rules: Array.from({ length: r.int(3) }, (_, i) => ({ id: `r${i}`, ...outcome(r), clauses: Array.from({ length: 1 + r.int(2) }, () => clause(r, segments)) })),
    prerequisites: prereqs.length && r.chance(0.3) ? [{ key: r.pick(prereqs), variation: r.int(3) }] : [],
  };
  return f;
}

function attributes(r: Random): Json {
  const a: Json = {};
  for (const name of ATTRS.slice(1)) if (r.chance(0.4)) a[name] = name === 'groups' ? [r.pick(STRINGS), r.pick(STRINGS)] : value(r);
  return a;
}

function context(r: Random): Json {
  const key = r.pick(['u1', 'u2', 'o1', 'k', 'x y']);
  switch (r.int(4)) {
    case 0: return { kind: 'user', key, ...attributes(r), ...(r.chance(0.2) ? { anonymous: true } : {}) };
    case 1: return { kind: 'org', key, ...attributes(r) };
    case 2: return { kind: 'multi', user: { key, ...attributes(r) }, org: { key: r.pick(['o1', 'o2']), ...attributes(r) } };
    default: {
      // The older user object: custom attributes nested, built-ins possibly null or also in
      // custom, any truthy anonymous, and keys that are not strings.
      const { name, email, country, ...custom } = attributes(r);
      if (r.chance(0.3)) custom.email = r.pick(STRINGS);
      const user: Json = { key: r.chance(0.1) ? 123 : key, name, email: r.chance(0.2) ? null : email, country, custom };
      if (r.chance(0.2)) user.anonymous = r.pick([true, 'yes', 1, 0, false]);
      return user;
    }
  }
}

function sorted(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('agreement with LaunchDarkly Node SDK on random inputs', () => {
  const r = new Random(20261203);
  const flags: Record<string, Json> = {};
  const segments: Record<string, Json> = {};
  const cases: Array<[string, Json[]]> = [];
  for (let i = 0; i < CASES; i++) {
    const segKeys = Array.from({ length: r.int(3) }, (_, j) => `c${i}-s${j}`);
    for (const k of segKeys) segments[k] = segment(r, k);
    const prereq = `c${i}-p`;
    flags[prereq] = flag(r, prereq, [], segKeys);
    const main = `c${i}-f`;
    flags[main] = flag(r, main, [prereq], segKeys);
    cases.push([main, Array.from({ length: CONTEXTS_PER_CASE }, () => context(r))]);
  }

  let theirs: ld.LDClient;
  let ours: LDClient;
  beforeAll(async () => {
    const td = new ld.integrations.TestData();
    for (const s of Object.values(segments)) td.usePreconfiguredSegment(s as never);
    for (const f of Object.values(flags)) td.usePreconfiguredFlag(f as never);
    theirs = ld.init('sdk-key', { updateProcessor: td.getFactory(), sendEvents: false, logger: ld.basicLogger({ level: 'none' }) });
    await theirs.waitForInitialization({ timeout: 10 });
    ours = init('sdk-key', { sendEvents: false, logger: silentLoggerForTests, payload: JSON.parse(JSON.stringify({ flags, segments })) });
  });
  afterAll(() => theirs.close());

  it(`gives the same detail for ${CASES * CONTEXTS_PER_CASE} evaluations`, async () => {
    const disagreements: string[] = [];
    const kinds = new Map<string, number>();
    for (const [key, contexts] of cases) {
      for (const c of contexts) {
        const expected = await theirs.variationDetail(key, c as ld.LDContext, 'default');
        const actual = ours.variationDetail(key, c as never, 'default');
        const reason = actual.reason as { kind: string; errorKind?: string };
        const kind = reason.errorKind ?? reason.kind;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        // Reasons compare by content: the SDKs order their fields differently.
        const norm = (d: { value: unknown; variationIndex?: number | null; reason: unknown }) =>
          JSON.stringify({ value: d.value, variationIndex: d.variationIndex ?? null, reason: sorted(d.reason) });
        if (norm(expected) !== norm(actual)) {
          disagreements.push(`${key} ${JSON.stringify(c)}\n  LaunchDarkly ${norm(expected)}\n  ldedge       ${norm(actual)}\n  flag ${JSON.stringify(flags[key])}`);
        }
      }
    }
    // The generator must reach every outcome, or agreement would say little.
    for (const kind of ['OFF', 'FALLTHROUGH', 'TARGET_MATCH', 'RULE_MATCH', 'PREREQUISITE_FAILED', 'MALFORMED_FLAG']) {
      expect(kinds.get(kind) ?? 0, `${kind} outcomes`).toBeGreaterThan(100);
    }
    expect(disagreements.slice(0, 5).join('\n'), `${disagreements.length} disagreements`).toBe('');
  });
});
