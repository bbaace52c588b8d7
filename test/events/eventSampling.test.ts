// A flag's samplingRatio thins out its feature events (summaries still count every evaluation),
// and enableEventCompression sends payloads gzip-compressed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { init, silentLoggerForTests, type EventSendResult, type LDClient, type LDOptions } from '../helpers/sdk.js';

function flag(key: string, extra: Record<string, unknown>) {
  return { key, version: 1, on: true, fallthrough: { variation: 0 }, variations: [true], salt: 's', trackEvents: true, ...extra };
}

const payload = {
  flags: {
    never: flag('never', { samplingRatio: 0 }),
    always: flag('always', { samplingRatio: 1 }),
    half: flag('half', { samplingRatio: 2 }),
    unsampled: flag('unsampled', {}),
  },
  segments: {},
};

type Json = Record<string, unknown>;
const user = { kind: 'user', key: 'u' };
const clients: LDClient[] = [];

/** A client whose event payloads are collected, parsed, as they are sent. */
function make(options: LDOptions = {}): { client: LDClient; sent: Json[][] } {
  const sent: Json[][] = [];
  const client = init('sdk-key', {
    payload: payload as never,
    logger: silentLoggerForTests,
    eventSender: {
      sendEvents: async (body: string): Promise<EventSendResult> => {
        sent.push(JSON.parse(body) as Json[]);
        return { outcome: 'success' };
      },
    },
    ...options,
  });
  clients.push(client);
  return { client, sent };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('event sampling', () => {
  it('drops every feature event of a flag with samplingRatio 0, but still summarises it', async () => {
    const { client, sent } = make();
    for (let i = 0; i < 5; i++) client.boolVariation('never', user, false);
    await client.flush();
    const events = sent.flat();
    expect(events.map((e) => e.kind)).toEqual(['index', 'summary']);
    const summary = events[1] as { features: Record<string, { counters: { count: number }[] }> };
    expect(summary.features.never.counters[0].count).toBe(5);
  });

  it('keeps every event for ratio 1 or no ratio, without a samplingRatio property', async () => {
    const { client, sent } = make();
    client.boolVariation('always', user, false);
    client.boolVariation('unsampled', user, false);
    await client.flush();
    const features = sent.flat().filter((e) => e.kind === 'feature');
    expect(features.map((e) => e.key)).toEqual(['always', 'unsampled']);
    for (const e of features) expect(e).not.toHaveProperty('samplingRatio');
  });

  it('keeps one in N events for ratio N, marked with the ratio', async () => {
    const { client, sent } = make();
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValueOnce(0.2).mockReturnValueOnce(0.7); // bucket 0 of 2 is kept, bucket 1 is not
    client.boolVariation('half', user, false);
    client.boolVariation('half', user, false);
    await client.flush();
    const features = sent.flat().filter((e) => e.kind === 'feature');
    expect(features).toHaveLength(1);
    expect(features[0]).toMatchObject({ key: 'half', samplingRatio: 2 });
  });
});

describe('event compression', () => {
  async function bodyOf(init: RequestInit | undefined): Promise<ArrayBuffer> {
    return new Response(init?.body).arrayBuffer();
  }

  for (const compress of [true, false]) {
    it(`${compress ? 'gzips' : 'does not gzip'} payloads when enableEventCompression is ${compress}`, async () => {
      const requests: { headers: Headers; body: ArrayBuffer }[] = [];
      const client = init('sdk-key', {
        payload: payload as never,
        logger: silentLoggerForTests,
        enableEventCompression: compress,
        fetch: async (_input, requestInit) => {
          requests.push({ headers: new Headers(requestInit?.headers), body: await bodyOf(requestInit) });
          return new Response(null, { status: 202 });
        },
      });
      clients.push(client);
      client.identify(user);
      await client.flush();

      expect(requests).toHaveLength(1);
      const { headers, body } = requests[0];
      expect(headers.get('content-encoding')).toBe(compress ? 'gzip' : null);
      const text = compress
        ? await new Response(new Blob([body]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
        : new TextDecoder().decode(body);
      expect((JSON.parse(text) as Json[]).map((e) => e.kind)).toEqual(['identify']);
    });
  }
});
