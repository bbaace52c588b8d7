// Evaluation and track hooks: stage order, data handed from before to after, failures isolated,
// and the environment id the series context carries once LaunchDarkly has named it.
import { afterEach, describe, expect, it } from 'vitest';
import { init, silentLoggerForTests, type LDClient, type LDHook, type LDLogger } from './helpers/sdk.js';
import { getLDClient } from '../runtimes/cloudflare/index.js';

const flags = {
  flags: {
    on: { key: 'on', version: 1, on: true, fallthrough: { variation: 1 }, offVariation: 0, variations: [false, true], salt: 's' },
    text: { key: 'text', version: 1, on: false, offVariation: 0, variations: ['off'], salt: 's' },
  },
  segments: {},
};

const user = { kind: 'user', key: 'u1' };
const clients: LDClient[] = [];

function make(hooks: LDHook[], extra: Record<string, unknown> = {}): LDClient {
  const client = init('sdk-key', { payload: flags as never, sendEvents: false, logger: silentLoggerForTests, hooks, ...extra });
  clients.push(client);
  return client;
}

/** A hook that records every stage it runs, under its name. */
function recorder(name: string, calls: string[], data: Record<string, unknown> = {}): LDHook {
  return {
    getMetadata: () => ({ name }),
    beforeEvaluation: (series, input) => {
      calls.push(`${name}:before:${series.method}`);
      return { ...input, ...data };
    },
    afterEvaluation: (series, input, detail) => {
      calls.push(`${name}:after:${JSON.stringify(input)}:${JSON.stringify(detail.value)}`);
      return input;
    },
    afterTrack: (series) => {
      calls.push(`${name}:track:${series.key}`);
    },
  };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('evaluation hooks', () => {
  it('run before in registration order and after in reverse, with each hook its own data', () => {
    const calls: string[] = [];
    const client = make([recorder('a', calls, { from: 'a' }), recorder('b', calls, { from: 'b' })]);
    expect(client.boolVariation('on', user, false)).toBe(true);
    expect(calls).toEqual([
      'a:before:LDClient.boolVariation',
      'b:before:LDClient.boolVariation',
      'b:after:{"from":"b"}:true',
      'a:after:{"from":"a"}:true',
    ]);
  });

  it('give the series context of the call', () => {
    const seen: unknown[] = [];
    const hook: LDHook = {
      beforeEvaluation: (series, data) => {
        seen.push(series);
        return data;
      },
    };
    const client = make([hook]);
    client.stringVariationDetail('text', user, 'dflt');
    client.jsonVariation('missing', user, { a: 1 });
    expect(seen).toEqual([
      { flagKey: 'text', context: user, defaultValue: 'dflt', method: 'LDClient.stringVariationDetail', environmentId: undefined },
      { flagKey: 'missing', context: user, defaultValue: { a: 1 }, method: 'LDClient.jsonVariation', environmentId: undefined },
    ]);
  });

  it('hand afterEvaluation the full detail even for a call without detail', () => {
    let detail: unknown;
    const client = make([{ afterEvaluation: (_s, data, d) => ((detail = d), data) }]);
    client.variation('on', user, false);
    expect(detail).toEqual({ value: true, variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
  });

  it('keep a failing stage from affecting the evaluation or the other hooks', () => {
    const lines: string[] = [];
    const logger: LDLogger = { debug() {}, info() {}, warn() {}, error: (m) => lines.push(m) };
    const calls: string[] = [];
    const broken: LDHook = {
      getMetadata: () => ({ name: 'broken' }),
      beforeEvaluation: () => {
        throw new Error('boom');
      },
      afterEvaluation: (_s, data) => {
        calls.push(`broken:after:${JSON.stringify(data)}`);
        return data;
      },
    };
    const client = make([broken, recorder('ok', calls, { x: 1 })], { logger });
    expect(client.boolVariationDetail('on', user, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'FALLTHROUGH' },
    });
    // The failed stage hands its afterEvaluation empty data.
    expect(calls).toEqual(['ok:before:LDClient.boolVariationDetail', 'ok:after:{"x":1}:true', 'broken:after:{}']);
    expect(lines).toEqual(['hook "broken" failed in beforeEvaluation: boom']);
  });

  it('must be given as an array of objects', () => {
    const warnings: string[] = [];
    const logger: LDLogger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const client = make('not hooks' as never, { logger });
    expect(client.boolVariation('on', user, false)).toBe(true);
    expect(warnings).toEqual(['option "hooks" must be an array of objects, got "not hooks"; it is ignored']);
  });

  it('are left alone by a client without hooks', () => {
    const client = make([]);
    expect(client.numberVariation('missing', user, 7)).toBe(7);
  });
});

describe('track hooks', () => {
  it('run afterTrack in registration order with what was tracked, events on or off', async () => {
    for (const sendEvents of [false, true]) {
      const seen: unknown[] = [];
      const order: string[] = [];
      const hook = (name: string): LDHook => ({
        afterTrack: (series) => {
          order.push(name);
          seen.push(series);
        },
      });
      const eventSender = { sendEvents: async () => ({ outcome: 'success' as const }) };
      const client = make([hook('a'), hook('b')], { sendEvents, eventSender });
      client.track('bought', user, { n: 1 }, 2.5);
      client.track('viewed', user);
      expect(order).toEqual(['a', 'b', 'a', 'b']);
      expect(seen[0]).toEqual({ key: 'bought', context: user, data: { n: 1 }, metricValue: 2.5, environmentId: undefined });
      expect(seen[2]).toEqual({ key: 'viewed', context: user, data: undefined, metricValue: undefined, environmentId: undefined });
    }
  });

  it('do not run for a track call that is refused', () => {
    const calls: string[] = [];
    const client = make([recorder('a', calls)]);
    client.track('k', { kind: 'user' } as never);
    client.track('', user);
    expect(calls).toEqual([]);
  });
});

describe('environment id', () => {
  /** A fetch that serves the flags with LaunchDarkly's environment header. */
  const envFetch: typeof fetch = async (input) => {
    const url = String(input);
    const headers = { 'Content-Type': url.endsWith('/all') ? 'text/event-stream' : 'application/json', 'X-LD-EnvID': 'env-42' };
    const body = url.endsWith('/all') ? `event: put\ndata: ${JSON.stringify({ path: '/', data: flags })}\n\n` : JSON.stringify(flags);
    return new Response(body, { status: 200, headers });
  };

  for (const [mode, options] of [
    ['polling on demand', {}],
    ['polling loop', { pollInterval: 30 }],
    ['streaming', { stream: true }],
  ] as const) {
    it(`comes from the X-LD-EnvID header (${mode})`, async () => {
      let environmentId: string | undefined;
      const hook: LDHook = { afterEvaluation: (series, data) => ((environmentId = series.environmentId), data) };
      const client = init('sdk-key', { fetch: envFetch, sendEvents: false, logger: silentLoggerForTests, hooks: [hook], ...options });
      clients.push(client);
      await client.waitForInitialization({ timeout: 5 });
      client.boolVariation('on', user, false);
      expect(environmentId).toBe('env-42');
    });
  }

  it('comes from the X-LD-EnvID header through ldedge/cloudflare, whose loads are handed over', async () => {
    let environmentId: string | undefined;
    const hook: LDHook = { afterEvaluation: (series, data) => ((environmentId = series.environmentId), data) };
    const waited: Promise<unknown>[] = [];
    const options = { fetch: envFetch, sendEvents: false, logger: silentLoggerForTests, hooks: [hook] };
    const client = await getLDClient({ sdkKey: 'sdk-key-env-id', options }, { waitUntil: (p) => void waited.push(p) });
    clients.push(client);
    await Promise.all(waited);
    client.boolVariation('on', user, false);
    expect(environmentId).toBe('env-42');
  });
});
