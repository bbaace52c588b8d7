// Analytics events produced through the client's public calls, delivered to a loopback events
// endpoint on flush().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init, silentLoggerForTests, type LDClient, type LDOptions } from '../helpers/sdk.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const payload = {
  flags: {
    parent: {
      key: 'parent',
      version: 7,
      on: true,
      prerequisites: [{ key: 'child', variation: 0 }],
      rules: [],
      fallthrough: { variation: 1 },
      offVariation: 0,
      variations: ['a', 'b'],
      salt: 's',
      trackEvents: true,
    },
    child: {
      key: 'child',
      version: 3,
      on: true,
      fallthrough: { variation: 0 },
      offVariation: 1,
      variations: [true, false],
      salt: 's',
    },
  },
  segments: {},
};

type Json = Record<string, unknown>;

describe('client events', () => {
  let ld: MockLaunchDarkly;
  let client: LDClient;

  function make(options: LDOptions = {}): LDClient {
    client = init('sdk-events-key', {
      payload: payload as never,
      eventsUri: ld.baseUri,
      logger: silentLoggerForTests,
      ...options,
    });
    return client;
  }

  beforeEach(async () => {
    ld = await startMockLaunchDarkly();
  });

  afterEach(async () => {
    await client?.close();
    await ld.close();
  });

  it('evaluations, prerequisites, track and identify arrive on flush', async () => {
    const c = make();
    const user = { kind: 'user', key: 'u1', name: 'Ann' };
    // `child` first: a summary keeps the default of the first evaluation it counts, and
    // prerequisite evaluations have none.
    c.boolVariation('child', user, false);
    expect(c.variationDetail('parent', user, 'dflt').value).toBe('b');
    c.variation('missing', user, 'fallback');
    c.track('checkout', user, { cart: 3 }, 19.5);
    c.identify({ kind: 'org', key: 'acme' });
    expect(ld.events.payloads).toHaveLength(0); // nothing leaves before flush
    await c.flush();

    expect(ld.events.payloads).toHaveLength(1);
    const sent = ld.events.payloads[0];
    expect(sent.headers.authorization).toBe('sdk-events-key');
    expect(sent.headers['x-launchdarkly-event-schema']).toBe('4');
    const events = sent.json as Json[];
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(['index', 'feature', 'custom', 'identify', 'summary']);

    const feature = events[1];
    expect(feature).toMatchObject({
      kind: 'feature',
      key: 'parent',
      version: 7,
      variation: 1,
      value: 'b',
      default: 'dflt',
      reason: { kind: 'FALLTHROUGH' },
      context: { kind: 'user', key: 'u1', name: 'Ann' },
    });
    expect(events[2]).toMatchObject({ kind: 'custom', key: 'checkout', data: { cart: 3 }, metricValue: 19.5 });
    expect(events[3]).toMatchObject({ kind: 'identify', context: { kind: 'org', key: 'acme' } });

    const features = (events[4] as { features: Record<string, Json> }).features;
    // The prerequisite is counted once for its own call and once through `parent`.
    expect(features.child).toEqual({
      default: false,
      contextKinds: ['user'],
      counters: [{ value: true, count: 2, variation: 0, version: 3 }],
    });
    expect(features.parent.counters).toEqual([{ value: 'b', count: 1, variation: 1, version: 7 }]);
    expect(features.missing).toEqual({
      default: 'fallback',
      contextKinds: ['user'],
      counters: [{ value: 'fallback', count: 1, unknown: true }],
    });
  });

  it('a wrong-type call is counted with the default and the flag version', async () => {
    const c = make();
    expect(c.numberVariation('parent', { key: 'u2' }, 42)).toBe(42);
    await c.flush();
    const events = ld.events.payloads[0].json as Json[];
    const summary = events.find((e) => e.kind === 'summary') as { features: Record<string, Json> };
    expect(summary.features.parent.counters).toEqual([{ value: 42, count: 1, version: 7 }]);
    const feature = events.find((e) => e.kind === 'feature');
    expect(feature).toMatchObject({ value: 42, default: 42, version: 7 });
    expect(feature).not.toHaveProperty('variation');
  });

  it('close() flushes', async () => {
    const c = make();
    c.identify({ key: 'u3' });
    await c.close();
    expect(ld.events.payloads).toHaveLength(1);
  });

  it('with events off nothing is recorded or sent, and no request is made', async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error('must not fetch')));
    const c = make({ sendEvents: false, fetch: fetchSpy as unknown as typeof fetch });
    c.variation('parent', { key: 'u4' }, null);
    c.track('t', { key: 'u4' });
    c.identify({ key: 'u4' });
    await c.flush();
    await c.close();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(ld.events.payloads).toHaveLength(0);
  });

  it('invalid contexts produce no events', async () => {
    const c = make();
    c.variation('parent', { kind: 'user', key: '' }, null);
    c.track('t', null as never);
    c.identify({} as never);
    await c.flush();
    expect(ld.events.payloads).toHaveLength(0);
  });
});
