// What every request to LaunchDarkly carries: the payload filter, the client's instance id, and
// for polling a gzip-friendly Accept-Encoding; and that a body that is not UTF-8 is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { init, silentLoggerForTests, type LDClient, type LDLogger, type LDOptions } from './helpers/sdk.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from './helpers/mockLaunchDarkly.js';

const flags = {
  flags: { f: { key: 'f', version: 1, on: false, offVariation: 0, variations: ['SENTINEL'], salt: 's' } },
  segments: {},
};

let ld: MockLaunchDarkly;
const clients: LDClient[] = [];

function make(options: LDOptions): LDClient {
  const client = init('sdk-key', {
    baseUri: ld.baseUri,
    streamUri: ld.baseUri,
    eventsUri: ld.baseUri,
    logger: silentLoggerForTests,
    ...options,
  });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  ld = await startMockLaunchDarkly();
  ld.polling.setData(flags);
  ld.streams.setData(flags);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await ld.close();
});

describe('payload filter', () => {
  for (const [mode, options, path] of [
    ['polling', {}, '/sdk/latest-all'],
    ['polling loop', { pollInterval: 30 }, '/sdk/latest-all'],
    ['streaming', { stream: true }, '/all'],
  ] as const) {
    it(`is sent as ?filter= (${mode})`, async () => {
      const client = make({ ...options, payloadFilterKey: 'mobile_v2.x-1' });
      await client.waitForInitialization();
      expect(ld.requestsTo(path).map((r) => r.url)).toEqual([`${path}?filter=mobile_v2.x-1`]);
    });
  }

  it('is sent again when the stream reconnects', async () => {
    const client = make({ stream: true, payloadFilterKey: 'f1', initialReconnectDelay: 0.01 });
    await client.waitForInitialization();
    ld.streams.end();
    await waitFor(() => ld.requestsTo('/all').length === 2, 'a reconnection');
    expect(ld.requestsTo('/all')[1].url).toBe('/all?filter=f1');
  });

  it('is left out, with a warning, when the key is not a valid filter key', async () => {
    const warnings: string[] = [];
    const logger: LDLogger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const client = make({ payloadFilterKey: 'encoding necessary +! %& ( )', logger });
    await client.waitForInitialization();
    expect(ld.requestsTo('/sdk/latest-all').map((r) => r.url)).toEqual(['/sdk/latest-all']);
    expect(warnings).toEqual([
      'option "payloadFilterKey" must be a filter key: letters, digits, ".", "-" or "_", starting with a letter or digit, got "encoding necessary +! %& ( )"; it is ignored',
    ]);
  });
});

describe('instance id', () => {
  it('is one random id per client, on polling, streaming and event requests alike', async () => {
    const user = { kind: 'user', key: 'u' };
    const a = make({ stream: true });
    await a.waitForInitialization();
    a.identify(user);
    await a.flush();
    const b = make({});
    await b.waitForInitialization();

    const [stream] = ld.requestsTo('/all');
    const [bulk] = ld.requestsTo('/bulk');
    const [poll] = ld.requestsTo('/sdk/latest-all');
    const id = stream.headers['x-launchdarkly-instance-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bulk.headers['x-launchdarkly-instance-id']).toBe(id);
    expect(poll.headers['x-launchdarkly-instance-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(poll.headers['x-launchdarkly-instance-id']).not.toBe(id);
  });
});

describe('polling responses', () => {
  it('are asked for with Accept-Encoding: gzip', async () => {
    await make({}).waitForInitialization();
    expect(ld.requestsTo('/sdk/latest-all')[0].headers['accept-encoding']).toContain('gzip');
  });

  it('are refused when the body is not UTF-8, rather than applied with replacement characters', async () => {
    const body = JSON.stringify(flags).replace('SENTINEL', 'AB\u0000CD');
    const bytes = new TextEncoder().encode(body).map((b) => (b === 0 ? 0xff : b));
    const client = make({ fetch: async () => new Response(bytes, { status: 200 }) });
    await expect(client.waitForInitialization()).rejects.toThrow(/poll load failed/);
    expect(client.stringVariation('f', { key: 'u' }, 'default')).toBe('default');
  });
});
