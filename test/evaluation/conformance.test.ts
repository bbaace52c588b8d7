// Runs every server-side evaluation case from LaunchDarkly's contract-test data through the
// public API: an untyped call, a detail call, the typed call each case names, and all-flags state.
import { loadConformanceCases, type ConformanceCase } from '../helpers/conformance.js';
import { describe, expect, it } from 'vitest';
import { init, silentLoggerForTests, type LDClient, type LDEvaluationDetail } from '../helpers/sdk.js';

type Case = ConformanceCase;
const cases: Case[] = loadConformanceCases();

/** LaunchDarkly treats an absent `inExperiment` and `false` alike. */
function normalReason(reason: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...reason };
  if (copy.inExperiment === false) delete copy.inExperiment;
  return copy;
}

function typedDetail(client: LDClient, c: Case, subject: unknown): LDEvaluationDetail<unknown> {
  const ctx = subject as never;
  const def = c.defaultValue as never;
  switch (c.valueType) {
    case 'bool':
      return client.boolVariationDetail(c.flagKey, ctx, def);
    case 'int':
    case 'double':
      return client.numberVariationDetail(c.flagKey, ctx, def);
    case 'string':
      return client.stringVariationDetail(c.flagKey, ctx, def);
    default:
      return client.jsonVariationDetail(c.flagKey, ctx, def);
  }
}

function expectDetail(actual: LDEvaluationDetail<unknown>, c: Case): void {
  expect(actual.value).toEqual(c.expected.value);
  expect(actual.variationIndex ?? null).toBe(c.expected.variationIndex);
  expect(normalReason(actual.reason)).toEqual(normalReason(c.expected.reason));
}

describe('conformance: server-side evaluation', () => {
  it('has all 728 cases', () => {
    expect(cases.length).toBe(728);
  });

  for (const c of cases) {
    it(c.id, () => {
      const client = init('sdk-key', {
        payload: { flags: c.flags, segments: c.segments } as never,
        logger: silentLoggerForTests,
      });
      const subjects = c.user === null || c.user === undefined ? [c.context] : [c.context, c.user];
      for (const subject of subjects) {
        expectDetail(typedDetail(client, c, subject), c);
        if (c.requireCapability === 'strongly-typed') continue;
        expectDetail(client.variationDetail(c.flagKey, subject as never, c.defaultValue as never), c);
        expect(client.variation(c.flagKey, subject as never, c.defaultValue as never)).toEqual(
          c.expected.value,
        );
        if (!c.skipEvaluateAllFlags) {
          const state = client.allFlagsState(subject as never).toJSON() as Record<string, unknown>;
          expect(state.$valid).toBe(true);
          expect(state[c.flagKey] ?? null).toEqual(c.expectedAllFlagsValue ?? null);
        }
      }
    });
  }
});
