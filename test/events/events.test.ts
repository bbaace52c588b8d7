// The analytics event pipeline against a loopback LaunchDarkly: the exact JSON of every event
// kind, request headers, batching, context-key dedup and omitAnonymousContexts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeConfig } from '../../src/validateOptions.js';
import { toContext, type Context } from '../../src/context.js';
import { DataSet } from '../../src/data/dataSet.js';
import { parseAllData } from '../../src/data/parseAllData.js';
import { errorResult, Evaluator, type EvalResult } from '../../src/evaluation/evaluator.js';
import { EventProcessor, type EventProcessorOptions, type EventsConfig } from '../../src/events/processor.js';
import { DefaultEventSender } from '../../src/events/sender.js';
import type { LDFlagValue } from '../../src/apiTypes.js';
import type { AllData } from '../../src/wire.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { recordingLogger } from '../helpers/logger.js';

const SDK_KEY = 'sdk-key-events';
const T = 1_700_000_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


function flag(key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key,
    version: 1,
    on: true,
    salt: key,
    variations: ['a', 'b'],
    offVariation: 0,
    fallthrough: { variation: 1 },
    ...extra,
  };
}

const FLAGS = {
  tracked: flag('tracked', { version: 3, trackEvents: true }),
  untracked: flag('untracked', { version: 2 }),
  targeted: flag('targeted', { version: 4, targets: [{ values: ['u1'], variation: 0 }] }),
  fallthroughTracked: flag('fallthroughTracked', { version: 5, trackEventsFallthrough: true }),
  parent: flag('parent', { version: 6, prerequisites: [{ key: 'child', variation: 1 }] }),
  child: flag('child', { version: 7, trackEvents: true }),
  excluded: flag('excluded', { version: 8, excludeFromSummaries: true }),
  debugged: flag('debugged', { version: 9, debugEventsUntilDate: T + 3_600_000 }),
  trackedAndDebugged: flag('trackedAndDebugged', {
    version: 10,
    trackEvents: true,
    debugEventsUntilDate: T + 3_600_000,
  }),
};

function ctx(input: unknown): Context {
  const c = toContext(input);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

/** Evaluates as the client will: prerequisites' results come back on the flag's result. */
function evaluate(
  ep: EventProcessor,
  data: DataSet,
  key: string,
  context: Context,
  defaultValue: LDFlagValue,
  withReason = false,
): EvalResult {
  const prepared = data.flag(key);
  if (prepared === undefined) {
    const result = errorResult('FLAG_NOT_FOUND');
    ep.recordEvaluation(key, context, result, defaultValue, withReason);
    return result;
  }
  const result = new Evaluator(data).evaluate(prepared, context, true);
  ep.recordEvaluation(key, context, result, defaultValue, withReason);
  return result;
}

describe('analytics events', () => {
  let ld: MockLaunchDarkly;
  let logger: ReturnType<typeof recordingLogger>;
  let processors: EventProcessor[];
  let clock: number;
  let data: DataSet;

  beforeEach(async () => {
    ld = await startMockLaunchDarkly();
    logger = recordingLogger();
    processors = [];
    clock = T;
    data = DataSet.from(parseAllData({ flags: FLAGS, segments: {} }, 'flag data'));
  });

  afterEach(async () => {
    await Promise.all(processors.map((p) => p.close()));
    await ld.close();
  });

  function config(overrides: Partial<EventsConfig> = {}): EventsConfig {
    return { ...makeConfig(SDK_KEY, { eventsUri: ld.baseUri, logger }), ...overrides };
  }

  function processor(overrides: Partial<EventsConfig> = {}, options: EventProcessorOptions = {}): EventProcessor {
    const ep = new EventProcessor(config(overrides), { now: () => clock, retryDelayMs: 10, ...options });
    processors.push(ep);
    return ep;
  }

  /** Every event received, in payload order. */
  function received(): Record<string, unknown>[] {
    return ld.events.bulk.flat() as Record<string, unknown>[];
  }

  const ann = { kind: 'user', key: 'u1', name: 'Ann' };

  describe('exact JSON of each kind', () => {
    it('an evaluation of a tracked flag: index, feature and summary', async () => {
      const ep = processor();
      evaluate(ep, data, 'tracked', ctx(ann), 'dflt');
      await ep.flush();
      expect(ld.events.bulk).toStrictEqual([
        [
          { kind: 'index', creationDate: T, context: { kind: 'user', key: 'u1', name: 'Ann' } },
          {
            kind: 'feature',
            creationDate: T,
            key: 'tracked',
            version: 3,
            variation: 1,
            value: 'b',
            default: 'dflt',
            context: { kind: 'user', key: 'u1', name: 'Ann' },
          },
          {
            kind: 'summary',
            startDate: T,
            endDate: T,
            features: {
              tracked: {
                default: 'dflt',
                contextKinds: ['user'],
                counters: [{ value: 'b', count: 1, variation: 1, version: 3 }],
              },
            },
          },
        ],
      ]);
    });

    it('a feature event carries the reason when asked for, and not otherwise', async () => {
      const ep = processor();
      evaluate(ep, data, 'tracked', ctx(ann), 'dflt', true);
      evaluate(ep, data, 'tracked', ctx(ann), 'dflt', false);
      await ep.flush();
      const features = received().filter((e) => e.kind === 'feature');
      expect(features).toHaveLength(2);
      expect(features[0]).toStrictEqual({
        kind: 'feature',
        creationDate: T,
        key: 'tracked',
        version: 3,
        variation: 1,
        value: 'b',
        default: 'dflt',
        reason: { kind: 'FALLTHROUGH' },
        context: { kind: 'user', key: 'u1', name: 'Ann' },
      });
      expect(features[1]).not.toHaveProperty('reason');
    });

    it('a tracked fallthrough makes a feature event with its reason though the flag is not tracked', async () => {
      const ep = processor();
      evaluate(ep, data, 'fallthroughTracked', ctx(ann), 'dflt', false);
      evaluate(ep, data, 'untracked', ctx(ann), 'dflt', true);
      await ep.flush();
      const features = received().filter((e) => e.kind === 'feature');
      expect(features).toStrictEqual([
        {
          kind: 'feature',
          creationDate: T,
          key: 'fallthroughTracked',
          version: 5,
          variation: 1,
          value: 'b',
          default: 'dflt',
          reason: { kind: 'FALLTHROUGH' },
          context: { kind: 'user', key: 'u1', name: 'Ann' },
        },
      ]);
    });

    it('a prerequisite evaluation is summarized and, when tracked, sent with prereqOf', async () => {
      const ep = processor();
      evaluate(ep, data, 'parent', ctx(ann), 'dflt');
      await ep.flush();
      const events = received();
      expect(events.filter((e) => e.kind === 'feature')).toStrictEqual([
        {
          kind: 'feature',
          creationDate: T,
          key: 'child',
          version: 7,
          variation: 1,
          value: 'b',
          default: null,
          prereqOf: 'parent',
          context: { kind: 'user', key: 'u1', name: 'Ann' },
        },
      ]);
      expect(events.filter((e) => e.kind === 'index')).toHaveLength(1);
      const summary = events.find((e) => e.kind === 'summary') as { features: unknown };
      expect(summary.features).toStrictEqual({
        child: { default: null, contextKinds: ['user'], counters: [{ value: 'b', count: 1, variation: 1, version: 7 }] },
        parent: { default: 'dflt', contextKinds: ['user'], counters: [{ value: 'b', count: 1, variation: 1, version: 6 }] },
      });
    });

    it("a prerequisite's feature event carries its reason when the caller asked for the detail", async () => {
      const ep = processor();
      evaluate(ep, data, 'parent', ctx(ann), 'dflt', true);
      await ep.flush();
      const child = received().find((e) => e.kind === 'feature' && e.key === 'child');
      expect(child).toMatchObject({ prereqOf: 'parent', reason: { kind: 'FALLTHROUGH' } });
    });

    it('prerequisites are summarized in the order evaluated, nested ones first, up to the first that fails', async () => {
      const ep = processor();
      const chained = DataSet.from(
        parseAllData(
          {
            flags: {
              ...FLAGS,
              // `parent` gives variation 1, so `tracked` is never evaluated.
              chain: flag('chain', {
                version: 11,
                prerequisites: [
                  { key: 'parent', variation: 0 },
                  { key: 'tracked', variation: 1 },
                ],
              }),
            },
            segments: {},
          },
          'flag data',
        ),
      );
      const result = evaluate(ep, chained, 'chain', ctx(ann), 'dflt');
      expect(result.reason).toStrictEqual({ kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'parent' });
      await ep.flush();
      const events = received();
      expect(events.filter((e) => e.kind === 'feature').map((e) => [e.key, e.prereqOf])).toStrictEqual([['child', 'parent']]);
      const summary = events.find((e) => e.kind === 'summary') as { features: Record<string, { default: unknown }> };
      expect(Object.keys(summary.features)).toStrictEqual(['child', 'parent', 'chain']);
      expect(summary.features.chain.default).toBe('dflt');
      expect(summary.features.parent.default).toBeNull();
    });

    it('a debug event carries the whole context, while the feature event redacts an anonymous one', async () => {
      const ep = processor();
      const anon = { kind: 'user', key: 'anon1', anonymous: true, name: 'Nobody', plan: 'free' };
      evaluate(ep, data, 'trackedAndDebugged', ctx(anon), 'dflt', true);
      await ep.flush();
      const events = received();
      const full = { kind: 'user', key: 'anon1', name: 'Nobody', plan: 'free', anonymous: true };
      const base = {
        creationDate: T,
        key: 'trackedAndDebugged',
        version: 10,
        variation: 1,
        value: 'b',
        default: 'dflt',
        reason: { kind: 'FALLTHROUGH' },
      };
      expect(events.slice(0, 3)).toStrictEqual([
        { kind: 'index', creationDate: T, context: full },
        {
          kind: 'feature',
          ...base,
          context: { kind: 'user', key: 'anon1', anonymous: true, _meta: { redactedAttributes: ['name', 'plan'] } },
        },
        { kind: 'debug', ...base, context: full },
      ]);
    });

    it('debug events stop once local time passes debugEventsUntilDate', async () => {
      const ep = processor();
      evaluate(ep, data, 'debugged', ctx(ann), 'dflt');
      clock = T + 3_600_001;
      evaluate(ep, data, 'debugged', ctx(ann), 'dflt');
      await ep.flush();
      const debugs = received().filter((e) => e.kind === 'debug');
      expect(debugs).toStrictEqual([
        {
          kind: 'debug',
          creationDate: T,
          key: 'debugged',
          version: 9,
          variation: 1,
          value: 'b',
          default: 'dflt',
          context: { kind: 'user', key: 'u1', name: 'Ann' },
        },
      ]);
    });

    it("debug events stop once the server's Date passes debugEventsUntilDate, though the local clock lags", async () => {
      // The local clock runs an hour behind the real (server) one; the debug window ended half an
      // hour ago by the server's clock, but is still open by the local one.
      const realNow = Date.now();
      clock = realNow - 3_600_000;
      const lagging = DataSet.from(parseAllData({
        flags: { late: flag('late', { debugEventsUntilDate: realNow - 1_800_000 }) },
        segments: {},
      }, 'flag data'));
      const ep = processor();
      evaluate(ep, lagging, 'late', ctx(ann), 'dflt');
      await ep.flush();
      expect(received().filter((e) => e.kind === 'debug')).toHaveLength(1);
      evaluate(ep, lagging, 'late', ctx(ann), 'dflt');
      await ep.flush();
      expect(ld.events.bulk).toHaveLength(2);
      expect((ld.events.bulk[1] as { kind: string }[]).map((e) => e.kind)).toStrictEqual(['summary']);
    });

    it('custom events with and without data and metricValue', async () => {
      const ep = processor();
      ep.recordCustom('checkout', ctx(ann), { items: [1, 2], total: 9.5 }, 42.5);
      ep.recordCustom('view', ctx(ann), undefined, undefined);
      ep.recordCustom('nulls', ctx(ann), null, undefined);
      await ep.flush();
      const context = { kind: 'user', key: 'u1', name: 'Ann' };
      expect(ld.events.bulk).toStrictEqual([
        [
          { kind: 'index', creationDate: T, context },
          { kind: 'custom', creationDate: T, key: 'checkout', context, data: { items: [1, 2], total: 9.5 }, metricValue: 42.5 },
          { kind: 'custom', creationDate: T, key: 'view', context },
          { kind: 'custom', creationDate: T, key: 'nulls', context },
        ],
      ]);
    });

    it('identify sends the context and counts it as seen, so no index event follows', async () => {
      const ep = processor();
      ep.recordIdentify(ctx(ann));
      ep.recordCustom('after', ctx(ann), undefined, undefined);
      evaluate(ep, data, 'tracked', ctx(ann), 'dflt');
      await ep.flush();
      const events = received();
      expect(events[0]).toStrictEqual({ kind: 'identify', creationDate: T, context: { kind: 'user', key: 'u1', name: 'Ann' } });
      expect(events.map((e) => e.kind)).toStrictEqual(['identify', 'custom', 'feature', 'summary']);
    });

    it('multi-kind contexts and older user objects in their event form', async () => {
      const ep = processor();
      ep.recordIdentify(
        ctx({ kind: 'multi', user: { key: 'u2', name: 'Bo' }, org: { key: 'o1', tier: 'gold', anonymous: false } }),
      );
      ep.recordIdentify(
        ctx({
          key: 'legacy1',
          secondary: 'dropped',
          name: 'Cy',
          country: 'NZ',
          anonymous: 0,
          custom: { plan: 'pro', nested: { a: [1, { b: 2 }] } },
        }),
      );
      await ep.flush();
      expect(received().map((e) => e.context)).toStrictEqual([
        { kind: 'multi', org: { key: 'o1', tier: 'gold', anonymous: false }, user: { key: 'u2', name: 'Bo' } },
        {
          kind: 'user',
          key: 'legacy1',
          plan: 'pro',
          nested: { a: [1, { b: 2 }] },
          name: 'Cy',
          country: 'NZ',
          anonymous: false,
        },
      ]);
    });

    it('contexts are captured by reference and redacted once per flush, as LaunchDarkly does', async () => {
      const ep = processor();
      const input = { kind: 'user', key: 'u9', tags: ['a'], address: { city: 'Oslo' } };
      evaluate(ep, data, 'tracked', ctx(input), 'dflt');
      evaluate(ep, data, 'tracked', ctx(input), 'dflt');
      // A change made before the flush shows: events hold the caller's object, not a copy.
      input.address.city = 'Bergen';
      await ep.flush();
      const withContext = received().filter((x) => x.context !== undefined);
      expect(withContext.map((e) => e.kind)).toEqual(['index', 'feature', 'feature']);
      for (const e of withContext) {
        expect(e.context).toStrictEqual({ kind: 'user', key: 'u9', tags: ['a'], address: { city: 'Bergen' } });
      }
    });

    it('an event that cannot be serialized is left out with a warning, and the rest of its payload sent', async () => {
      const ep = processor();
      // Values JSON cannot hold can come only from a custom data source or an object payload.
      const odd = DataSet.from({
        flags: { ...FLAGS, big: flag('big', { variations: [BigInt(1), BigInt(2)], trackEvents: true, excludeFromSummaries: true }) },
        segments: {},
      } as unknown as AllData);
      evaluate(ep, odd, 'tracked', ctx(ann), 'd');
      evaluate(ep, odd, 'big', ctx(ann), 'd');
      evaluate(ep, odd, 'tracked', ctx(ann), 'd');
      await ep.flush();
      expect(received().map((e) => e.kind)).toStrictEqual(['index', 'feature', 'feature', 'summary']);
      expect(received().filter((e) => e.kind === 'feature').map((e) => e.key)).toStrictEqual(['tracked', 'tracked']);
      expect(logger.lines.filter((line) => line.includes('dropped an analytics event that cannot be serialized'))).toHaveLength(1);
    });

    it('summary counters across variations, versions, unknown flags and context kinds', async () => {
      const ep = processor();
      clock = T + 10;
      evaluate(ep, data, 'targeted', ctx({ kind: 'user', key: 'u1' }), 'd1'); // variation 0
      clock = T + 5;
      evaluate(ep, data, 'targeted', ctx({ kind: 'user', key: 'u2' }), 'd1'); // variation 1
      evaluate(ep, data, 'targeted', ctx({ kind: 'user', key: 'u3' }), 'd1'); // variation 1
      clock = T + 20;
      const newer = DataSet.from(parseAllData({
        flags: { targeted: { ...FLAGS.targeted, version: 11 } },
        segments: {},
      }, 'flag data'));
      evaluate(ep, newer, 'targeted', ctx({ kind: 'multi', user: { key: 'u1' }, org: { key: 'o1' } }), 'd1');
      evaluate(ep, data, 'missing', ctx({ kind: 'device', key: 'd1' }), 'fallback');
      evaluate(ep, data, 'missing', ctx({ kind: 'device', key: 'd2' }), 'fallback');
      evaluate(ep, data, 'excluded', ctx({ kind: 'user', key: 'u1' }), 'd1');
      // An off flag without an off variation serves the default: a counter with no variation.
      const off = DataSet.from(parseAllData({ flags: { off: flag('off', { on: false, offVariation: null }) }, segments: {} }, 'flag data'));
      evaluate(ep, off, 'off', ctx({ kind: 'user', key: 'u1' }), 'offDefault');
      await ep.flush();
      const summary = received().find((e) => e.kind === 'summary') as {
        startDate: number;
        endDate: number;
        features: Record<string, { default: unknown; contextKinds: string[]; counters: { version?: number; variation?: number }[] }>;
      };
      expect(summary.startDate).toBe(T + 5);
      expect(summary.endDate).toBe(T + 20);
      const byVersionVariation = (a: { version?: number; variation?: number }, b: typeof a) =>
        (a.version ?? 0) - (b.version ?? 0) || (a.variation ?? -1) - (b.variation ?? -1);
      const features = summary.features;
      expect(Object.keys(features).sort()).toStrictEqual(['missing', 'off', 'targeted']);
      expect(features.targeted.default).toBe('d1');
      expect(features.targeted.contextKinds.sort()).toStrictEqual(['org', 'user']);
      expect(features.targeted.counters.sort(byVersionVariation)).toStrictEqual([
        { value: 'a', count: 1, variation: 0, version: 4 },
        { value: 'b', count: 2, variation: 1, version: 4 },
        { value: 'a', count: 1, variation: 0, version: 11 },
      ]);
      expect(features.missing).toStrictEqual({
        default: 'fallback',
        contextKinds: ['device'],
        counters: [{ value: 'fallback', count: 2, unknown: true }],
      });
      expect(features.off).toStrictEqual({
        default: 'offDefault',
        contextKinds: ['user'],
        counters: [{ value: 'offDefault', count: 1, version: 1 }],
      });
    });

    it('the default clock is read once per synchronous stretch of records, and at most every 256 records', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: T });
      try {
        const ep = processor({}, { now: undefined });
        evaluate(ep, data, 'tracked', ctx(ann), 'd');
        vi.setSystemTime(T + 50);
        evaluate(ep, data, 'tracked', ctx(ann), 'd'); // same stretch: the reading made at T
        for (let i = 0; i < 254; i++) evaluate(ep, data, 'untracked', ctx(ann), 'd');
        evaluate(ep, data, 'tracked', ctx(ann), 'd'); // the 257th record reads the clock again
        await Promise.resolve();
        vi.setSystemTime(T + 90);
        evaluate(ep, data, 'tracked', ctx(ann), 'd'); // a new stretch reads it again
        await ep.flush();
      } finally {
        vi.useRealTimers();
      }
      const features = received().filter((e) => e.kind === 'feature');
      expect(features.map((e) => e.creationDate)).toStrictEqual([T, T, T + 50, T + 90]);
      const summary = received().find((e) => e.kind === 'summary');
      expect([summary?.startDate, summary?.endDate]).toStrictEqual([T, T + 90]);
    });

    it('an evaluation right after track or identify shares the reading they took', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: T });
      try {
        const ep = processor({}, { now: undefined });
        ep.recordCustom('c', ctx(ann), undefined, undefined); // reads the clock, on an empty log
        evaluate(ep, data, 'tracked', ctx(ann), 'd');
        await Promise.resolve();
        vi.setSystemTime(T + 20);
        ep.recordIdentify(ctx(ann));
        vi.setSystemTime(T + 30);
        evaluate(ep, data, 'tracked', ctx(ann), 'd'); // same stretch as the identify
        await ep.flush();
      } finally {
        vi.useRealTimers();
      }
      const features = received().filter((e) => e.kind === 'feature');
      expect(features.map((e) => e.creationDate)).toStrictEqual([T, T + 20]);
    });

    it('evaluations past the log limit, prerequisites included, keep their times and counts', async () => {
      const ep = processor({ capacity: 20_000 });
      const evaluations = 12_345;
      // One evaluation without prerequisites first, so that a limit falls between a prerequisite and its flag.
      evaluate(ep, data, 'untracked', ctx(ann), 'd');
      for (let i = 0; i < evaluations; i++) {
        clock = T + i;
        evaluate(ep, data, 'parent', ctx(ann), 'd');
      }
      await ep.flush();
      // `child` is tracked: one feature event per evaluation of `parent`, at that evaluation's time.
      const features = received().filter((e) => e.kind === 'feature');
      expect(features).toHaveLength(evaluations);
      expect(features.every((e, i) => e.creationDate === T + i && e.prereqOf === 'parent')).toBe(true);
      const summary = received().find((e) => e.kind === 'summary') as {
        startDate: number;
        endDate: number;
        features: Record<string, { counters: { count: number }[] }>;
      };
      expect([summary.startDate, summary.endDate]).toStrictEqual([T, T + evaluations - 1]);
      expect(summary.features.parent.counters[0].count).toBe(evaluations);
      expect(summary.features.child.counters[0].count).toBe(evaluations);
    });

    it('data reloaded at the same version counts into the same counters, and a deleted flag joins its entry', async () => {
      const ep = processor();
      const reloaded = DataSet.from(parseAllData({ flags: { targeted: { ...FLAGS.targeted } }, segments: {} }, 'flag data'));
      const deleted = DataSet.from(parseAllData({ flags: {}, segments: {} }, 'flag data'));
      evaluate(ep, data, 'targeted', ctx({ kind: 'user', key: 'u1' }), 'd1');
      evaluate(ep, reloaded, 'targeted', ctx({ kind: 'user', key: 'u1' }), 'd1');
      evaluate(ep, deleted, 'targeted', ctx({ kind: 'org', key: 'o1' }), 'gone');
      await ep.flush();
      const summary = received().find((e) => e.kind === 'summary') as { features: Record<string, unknown> };
      expect(summary.features).toStrictEqual({
        targeted: {
          default: 'd1',
          contextKinds: ['user', 'org'],
          counters: [
            { value: 'a', count: 2, variation: 0, version: 4 },
            { value: 'gone', count: 1, unknown: true },
          ],
        },
      });
    });
  });

  it('sends the headers LaunchDarkly expects, with a fresh payload id per payload', async () => {
    const ep = processor();
    ep.recordCustom('a', ctx(ann), undefined, undefined);
    await ep.flush();
    ep.recordCustom('b', ctx(ann), undefined, undefined);
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(2);
    const ids = new Set<string>();
    for (const p of ld.events.payloads) {
      expect(p.path).toBe('/bulk');
      expect(p.headers['content-type']).toBe('application/json');
      expect(p.headers['x-launchdarkly-event-schema']).toBe('4');
      expect(p.headers.authorization).toBe(SDK_KEY);
      expect(p.headers['user-agent']).toMatch(/^ldedge\/\d+\.\d+\.\d+/);
      expect(p.headers['x-launchdarkly-payload-id']).toMatch(UUID);
      expect(p.headers['content-encoding']).toBeUndefined();
      ids.add(p.headers['x-launchdarkly-payload-id']);
    }
    expect(ids.size).toBe(2);
    expect(ld.requests.every((r) => r.method === 'POST')).toBe(true);
  });

  it('a flush with nothing queued sends nothing', async () => {
    const ep = processor();
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(0);
  });

  it('sends all of a flush in one payload when eventBatchSize is unset, as LaunchDarkly does', async () => {
    const ep = processor();
    for (let i = 0; i < 2500; i++) ep.recordCustom('c', ctx(ann), { i }, undefined);
    await ep.flush();
    // 1 index + 2500 custom + no summary (nothing was evaluated).
    expect((ld.events.bulk as unknown[][]).map((p) => p.length)).toStrictEqual([2501]);
  });

  it('splits a flush into payloads of at most eventBatchSize, the summary in the last', async () => {
    const ep = processor({ eventBatchSize: 3 });
    for (let i = 0; i < 7; i++) ep.recordCustom('c', ctx(ann), { i }, undefined);
    evaluate(ep, data, 'untracked', ctx(ann), 'dflt');
    await ep.flush();
    // 1 index + 7 custom + 1 summary = 9 events in 3 payloads, sent concurrently.
    const payloads = ld.events.bulk as Record<string, unknown>[][];
    expect(payloads.map((p) => p.length)).toStrictEqual([3, 3, 3]);
    const withSummary = payloads.filter((p) => p.some((e) => e.kind === 'summary'));
    expect(withSummary).toHaveLength(1);
    expect(withSummary[0].map((e) => (e.kind === 'custom' ? (e.data as { i: number }).i : e.kind))).toStrictEqual([
      5,
      6,
      'summary',
    ]);
    const ids = ld.events.payloads.map((p) => p.headers['x-launchdarkly-payload-id']);
    expect(new Set(ids).size).toBe(3);
  });

  describe('context dedup', () => {
    it('sends one index event per context key per window, and again after the window', async () => {
      const ep = processor({ contextKeysFlushIntervalMs: 1000 });
      evaluate(ep, data, 'untracked', ctx(ann), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ ...ann, name: 'Ann changed' }), 'dflt');
      ep.recordCustom('c', ctx(ann), undefined, undefined);
      clock = T + 999;
      evaluate(ep, data, 'untracked', ctx(ann), 'dflt');
      clock = T + 1000;
      evaluate(ep, data, 'untracked', ctx(ann), 'dflt');
      evaluate(ep, data, 'untracked', ctx(ann), 'dflt');
      await ep.flush();
      const indexes = received().filter((e) => e.kind === 'index');
      expect(indexes.map((e) => e.creationDate)).toStrictEqual([T, T + 1000]);
    });

    it('keys contexts by kind and key: the same key of another kind is another context', async () => {
      const ep = processor();
      evaluate(ep, data, 'untracked', ctx({ kind: 'user', key: 'x' }), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ kind: 'org', key: 'x' }), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ kind: 'multi', user: { key: 'x' }, org: { key: 'x' } }), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ key: 'x' }), 'dflt'); // an older user object: kind user
      await ep.flush();
      expect(received().filter((e) => e.kind === 'index')).toHaveLength(3);
    });

    it('a multi-kind context seen just before is not indexed again; one member with another key is', async () => {
      const ep = processor();
      const input = { kind: 'multi', user: { key: 'u' }, org: { key: 'o1' } };
      evaluate(ep, data, 'untracked', ctx(input), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ ...input }), 'dflt'); // another object, the same keys
      evaluate(ep, data, 'untracked', ctx({ ...input, org: { key: 'o2' } }), 'dflt');
      evaluate(ep, data, 'untracked', ctx({ ...input, device: { key: 'o2' } }), 'dflt'); // one kind more
      evaluate(ep, data, 'untracked', ctx(input), 'dflt'); // seen in this window
      await ep.flush();
      const indexed = received()
        .filter((e) => e.kind === 'index')
        .map((e) => e.context as Record<string, { key: string }>);
      expect(indexed.map((c) => [c.org.key, c.device?.key])).toStrictEqual([
        ['o1', undefined],
        ['o2', undefined],
        ['o1', 'o2'],
      ]);
    });

    it('each multi-kind context object is redacted for itself in one flush', async () => {
      const ep = processor();
      const first = { kind: 'multi', user: { key: 'u', name: 'A' }, org: { key: 'o' } };
      const second = { kind: 'multi', user: { key: 'u', name: 'B' }, org: first.org };
      evaluate(ep, data, 'tracked', ctx(first), 'dflt');
      evaluate(ep, data, 'tracked', ctx(second), 'dflt');
      evaluate(ep, data, 'tracked', ctx(first), 'dflt');
      await ep.flush();
      const contexts = received()
        .filter((e) => e.kind === 'feature')
        .map((e) => e.context);
      expect(contexts).toStrictEqual([first, second, first]);
    });

    it('forgets the least recently seen key beyond contextKeysCapacity', async () => {
      const ep = processor({ contextKeysCapacity: 2 });
      const see = (key: string) => evaluate(ep, data, 'untracked', ctx({ kind: 'user', key }), 'dflt');
      see('u1');
      see('u2');
      see('u1'); // u1 is now the most recent
      see('u3'); // evicts u2
      see('u1'); // still known
      see('u2'); // forgotten: indexed again, evicting u3
      see('u3'); // indexed again
      await ep.flush();
      const indexed = received()
        .filter((e) => e.kind === 'index')
        .map((e) => (e.context as { key: string }).key);
      expect(indexed).toStrictEqual(['u1', 'u2', 'u3', 'u2', 'u3']);
    });
  });

  describe('omitAnonymousContexts', () => {
    it('sends no index or identify event for an anonymous context, but still its other events', async () => {
      const ep = processor({ omitAnonymousContexts: true });
      const anon = ctx({ kind: 'user', key: 'anon', anonymous: true, name: 'N' });
      ep.recordIdentify(anon);
      evaluate(ep, data, 'tracked', anon, 'dflt');
      ep.recordCustom('c', anon, undefined, undefined);
      await ep.flush();
      const events = received();
      expect(events.map((e) => e.kind)).toStrictEqual(['feature', 'custom', 'summary']);
      const redacted = { kind: 'user', key: 'anon', anonymous: true, _meta: { redactedAttributes: ['name'] } };
      expect(events[0].context).toStrictEqual(redacted);
      expect(events[1].context).toStrictEqual(redacted);
    });

    it('drops the anonymous members of a multi-kind context from index and identify events', async () => {
      const ep = processor({ omitAnonymousContexts: true });
      const multi = ctx({
        kind: 'multi',
        user: { key: 'anon', anonymous: true },
        org: { key: 'o1', name: 'Org' },
        device: { key: 'dv', model: 'x' },
      });
      ep.recordIdentify(multi);
      evaluate(ep, data, 'untracked', multi, 'dflt'); // seen through identify: no index
      const multi2 = ctx({ kind: 'multi', user: { key: 'anon2', anonymous: true }, org: { key: 'o2' } });
      evaluate(ep, data, 'tracked', multi2, 'dflt');
      evaluate(ep, data, 'tracked', ctx({ kind: 'org', key: 'o2' }), 'dflt'); // the same context as indexed
      await ep.flush();
      const events = received();
      expect(events.map((e) => e.kind)).toStrictEqual(['identify', 'index', 'feature', 'feature', 'summary']);
      expect(events[0].context).toStrictEqual({ kind: 'multi', device: { key: 'dv', model: 'x' }, org: { key: 'o1', name: 'Org' } });
      expect(events[1].context).toStrictEqual({ kind: 'org', key: 'o2' });
      expect(events[2].context).toStrictEqual({ kind: 'multi', org: { key: 'o2' }, user: { key: 'anon2', anonymous: true } });
    });

    it('without the option, anonymous contexts are indexed and identified in full', async () => {
      const ep = processor();
      const anon = ctx({ kind: 'user', key: 'anon', anonymous: true, name: 'N' });
      ep.recordIdentify(anon);
      ep.recordIdentify(ctx({ kind: 'user', key: 'anon2', anonymous: true }));
      evaluate(ep, data, 'untracked', ctx({ kind: 'user', key: 'anon3', anonymous: true, name: 'M' }), 'dflt');
      await ep.flush();
      expect(received().map((e) => [e.kind, e.context])).toStrictEqual([
        ['identify', { kind: 'user', key: 'anon', name: 'N', anonymous: true }],
        ['identify', { kind: 'user', key: 'anon2', anonymous: true }],
        ['index', { kind: 'user', key: 'anon3', name: 'M', anonymous: true }],
        ['summary', undefined],
      ]);
    });
  });

  describe('lifecycle', () => {
    it('flushes periodically when flushIntervalMs is set, and stops at close', async () => {
      const ep = processor({ flushIntervalMs: 20 });
      ep.recordCustom('tick', ctx(ann), undefined, undefined);
      await waitFor(() => ld.events.payloads.length === 1, 'a periodic flush');
      await ep.close();
      ep.recordCustom('after-close', ctx(ann), undefined, undefined);
      await new Promise((resolve) => setTimeout(resolve, 80));
      await ep.flush();
      expect(ld.events.payloads).toHaveLength(1);
    });

    it('close sends what is queued, then ignores later records', async () => {
      const ep = processor();
      ep.recordCustom('before', ctx(ann), undefined, undefined);
      await ep.close();
      ep.recordCustom('after', ctx(ann), undefined, undefined);
      evaluate(ep, data, 'tracked', ctx(ann), 'dflt');
      ep.recordIdentify(ctx(ann));
      await ep.flush();
      await ep.close();
      expect(received().map((e) => e.key ?? e.kind)).toStrictEqual(['index', 'before']);
    });
  });

  it('the default sender can gzip payloads', async () => {
    const bodies: { headers: Headers; body: ArrayBuffer }[] = [];
    const capture: typeof fetch = async (_url, init) => {
      bodies.push({ headers: new Headers(init?.headers), body: await new Response(init?.body).arrayBuffer() });
      return new Response(null, { status: 202 });
    };
    const base = config();
    const sender = new DefaultEventSender({ ...base.http, fetch: capture }, base.eventsUri, true);
    const ep = processor({}, { sender });
    ep.recordCustom('zipped', ctx(ann), { text: 'x'.repeat(1000) }, undefined);
    await ep.flush();
    expect(bodies).toHaveLength(1);
    expect(bodies[0].headers.get('content-encoding')).toBe('gzip');
    expect(bodies[0].body.byteLength).toBeLessThan(500);
    const text = await new Response(new Blob([bodies[0].body]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    const events = JSON.parse(text) as { kind: string; data?: { text: string } }[];
    expect(events.map((e) => e.kind)).toStrictEqual(['index', 'custom']);
    expect(events[1].data?.text).toHaveLength(1000);
  });
});
