// The contract-test service spoken to as the harness does, against a loopback LaunchDarkly: the
// protocol, the configuration mapping, commands, hooks and the context commands.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { createClient as createRedisClient } from 'redis';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { CAPABILITIES, startService, type RunningService } from './service.js';

const flags = {
  flags: {
    'bool-flag': { key: 'bool-flag', version: 1, on: true, fallthrough: { variation: 1 }, variations: [false, true], salt: 's' },
    'number-flag': { key: 'number-flag', version: 1, on: false, offVariation: 1, variations: [0, 42.9], salt: 's' },
    'string-flag': { key: 'string-flag', version: 1, on: true, fallthrough: { variation: 0 }, variations: ['on'], salt: 's' },
    tracked: { key: 'tracked', version: 3, on: true, fallthrough: { variation: 0 }, variations: ['x'], salt: 's', trackEvents: true },
  },
  segments: {},
};

let ld: MockLaunchDarkly;
let service: RunningService;
let callbacks: Server;
let callbackUri: string;
const hookCalls: { hook: string; body: Record<string, unknown> }[] = [];

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(service.url + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const isJson = res.headers.get('content-type') === 'application/json';
  return { status: res.status, location: res.headers.get('location'), json: isJson ? (JSON.parse(text) as any) : undefined, text };
}

async function createClient(configuration: Record<string, unknown>) {
  return call('POST', '/', { tag: 'test', configuration: { credential: 'sdk-key', ...configuration } });
}

async function command(client: string, name: string, params?: unknown) {
  return call('POST', client, params === undefined ? { command: name } : { command: name, [name]: params });
}

beforeAll(async () => {
  service = await startService({ port: 0, logLevel: 'none' });
  callbacks = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      hookCalls.push({ hook: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  callbackUri = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await ld?.close();
  await service.close();
  await new Promise((resolve) => callbacks.close(resolve));
});

beforeEach(async () => {
  await ld?.close();
  ld = await startMockLaunchDarkly();
  ld.streams.setData(flags);
  ld.polling.setData(flags);
  hookCalls.length = 0;
});

describe('contract-test service', () => {
  it('describes itself and its capabilities', async () => {
    const { status, json } = await call('GET', '/');
    expect(status).toBe(200);
    expect(json).toEqual({ name: 'ldedge', clientVersion: expect.any(String), capabilities: CAPABILITIES });
  });

  it('creates a streaming client and evaluates with every value type', async () => {
    const created = await createClient({ streaming: { baseUri: ld.baseUri } });
    expect(created.status).toBe(201);
    const client = created.location as string;
    const context = { kind: 'user', key: 'u' };
    const evaluate = (flagKey: string, valueType: string, defaultValue: unknown, detail = false) =>
      command(client, 'evaluate', { flagKey, context, valueType, defaultValue, detail }).then((r) => r.json);

    expect(await evaluate('bool-flag', 'bool', false)).toEqual({ value: true });
    expect(await evaluate('bool-flag', 'bool', false, true)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'FALLTHROUGH' },
    });
    expect(await evaluate('number-flag', 'double', 0)).toEqual({ value: 42.9 });
    expect(await evaluate('number-flag', 'int', 0)).toEqual({ value: 42 });
    expect(await evaluate('string-flag', 'string', 'd', true)).toEqual({
      value: 'on',
      variationIndex: 0,
      reason: { kind: 'FALLTHROUGH' },
    });
    expect(await evaluate('string-flag', 'bool', false, true)).toEqual({
      value: false,
      reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' },
    });
    expect(await evaluate('missing', 'any', { a: 1 })).toEqual({ value: { a: 1 } });
    // An old user object instead of a context.
    const old = await command(client, 'evaluate', { flagKey: 'bool-flag', user: { key: 'u' }, valueType: 'bool', defaultValue: false });
    expect(old.json).toEqual({ value: true });

    const all = await command(client, 'evaluateAll', { context, withReasons: true });
    expect(all.json.state.$valid).toBe(true);
    expect(all.json.state['bool-flag']).toBe(true);
    expect(all.json.state.$flagsState['bool-flag']).toEqual({ variation: 1, version: 1, reason: { kind: 'FALLTHROUGH' } });

    const hash = await command(client, 'secureModeHash', { context });
    expect(hash.json.result).toMatch(/^[0-9a-f]{64}$/);
    expect((await call('DELETE', client)).status).toBe(204);
    expect((await command(client, 'evaluate', {})).status).toBe(404);
  });

  it('answers 500 when initialisation fails, unless initCanFail', async () => {
    ld.streams.failNext(401, 2);
    expect((await createClient({ streaming: { baseUri: ld.baseUri } })).status).toBe(500);
    const created = await createClient({ streaming: { baseUri: ld.baseUri }, initCanFail: true });
    expect(created.status).toBe(201);
    const result = await command(created.location as string, 'evaluate', {
      flagKey: 'bool-flag',
      context: { key: 'u' },
      valueType: 'bool',
      defaultValue: false,
      detail: true,
    });
    expect(result.json).toEqual({ value: false, reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' } });
  });

  it('maps polling, service endpoints, filters, tags and wrapper', async () => {
    const created = await createClient({
      serviceEndpoints: { polling: ld.baseUri, streaming: 'http://127.0.0.1:9', events: ld.baseUri },
      polling: { pollIntervalMs: 0, filter: 'my-filter' },
      tags: { applicationId: 'app', applicationVersion: '1.0' },
      wrapper: { name: 'w', version: '2' },
    });
    expect(created.status).toBe(201);
    const [poll] = ld.requestsTo('/sdk/latest-all');
    expect(poll.url).toBe('/sdk/latest-all?filter=my-filter');
    expect(poll.headers['x-launchdarkly-tags']).toBe('application-id/app application-version/1.0');
    expect(poll.headers['x-launchdarkly-wrapper']).toBe('w/2');
    expect(ld.requestsTo('/all')).toHaveLength(0);
    await call('DELETE', created.location as string);
  });

  it('sends events, gzip-compressed only when enableGzip is true, and none without an events section', async () => {
    for (const enableGzip of [undefined, false, true]) {
      ld.events.payloads.length = 0;
      const created = await createClient({
        streaming: { baseUri: ld.baseUri },
        events: { baseUri: ld.baseUri, flushIntervalMs: 1_000_000, enableGzip },
      });
      const client = created.location as string;
      await command(client, 'identifyEvent', { context: { kind: 'org', key: 'o' } });
      await command(client, 'customEvent', { eventKey: 'e', context: { key: 'u' }, data: null, omitNullData: true });
      await command(client, 'customEvent', { eventKey: 'e', context: { key: 'u' }, data: [1], metricValue: 2 });
      await command(client, 'flushEvents');
      await waitFor(() => ld.events.payloads.length === 1, 'an event payload');
      const [payload] = ld.events.payloads;
      expect(payload.headers['content-encoding']).toBe(enableGzip === true ? 'gzip' : undefined);
      if (enableGzip !== true) {
        const events = payload.json as Record<string, unknown>[];
        expect(events.map((e) => e.kind)).toEqual(['identify', 'index', 'custom', 'custom']);
        expect(events[2]).not.toHaveProperty('data');
        expect(events[3]).toMatchObject({ data: [1], metricValue: 2 });
      }
      await call('DELETE', client);
    }

    ld.events.payloads.length = 0;
    const created = await createClient({ streaming: { baseUri: ld.baseUri }, serviceEndpoints: { events: ld.baseUri } });
    await command(created.location as string, 'identifyEvent', { context: { key: 'u' } });
    await command(created.location as string, 'flushEvents');
    await call('DELETE', created.location as string);
    expect(ld.events.payloads).toHaveLength(0);
  });

  it('runs test hooks that report each stage in order, with the configured data and errors', async () => {
    const created = await createClient({
      streaming: { baseUri: ld.baseUri },
      events: { baseUri: ld.baseUri },
      hooks: {
        hooks: [
          { name: 'a', callbackUri: `${callbackUri}/a`, data: { beforeEvaluation: { from: 'a' } } },
          { name: 'b', callbackUri: `${callbackUri}/b`, errors: { beforeEvaluation: 'no' } },
        ],
      },
    });
    const client = created.location as string;
    const context = { kind: 'user', key: 'u' };
    await command(client, 'evaluate', { flagKey: 'bool-flag', context, valueType: 'bool', defaultValue: false, detail: true });
    await command(client, 'customEvent', { eventKey: 'k', context, metricValue: 1 });
    await waitFor(() => hookCalls.length === 5, 'five hook callbacks');

    expect(hookCalls.map((c) => `${c.hook}:${c.body.stage}`)).toEqual([
      '/a:beforeEvaluation',
      '/b:afterEvaluation',
      '/a:afterEvaluation',
      '/a:afterTrack',
      '/b:afterTrack',
    ]);
    expect(hookCalls[0].body).toEqual({
      evaluationSeriesContext: { flagKey: 'bool-flag', context, defaultValue: false, method: 'LDClient.boolVariationDetail' },
      evaluationSeriesData: {},
      stage: 'beforeEvaluation',
    });
    expect(hookCalls[1].body.evaluationSeriesData).toEqual({});
    expect(hookCalls[2].body.evaluationSeriesData).toEqual({ from: 'a' });
    expect(hookCalls[2].body.evaluationDetail).toEqual({ value: true, variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
    expect(hookCalls[3].body.trackSeriesContext).toEqual({ key: 'k', context, data: null, metricValue: 1 });
    await call('DELETE', client);
  });

  it('answers 400 to what it cannot parse', async () => {
    const created = await createClient({ streaming: { baseUri: ld.baseUri } });
    expect((await command(created.location as string, 'migrationVariation', {})).status).toBe(400);
    const bad = await fetch(service.url + (created.location as string), { method: 'POST', body: '{' });
    expect(bad.status).toBe(400);
    expect((await call('POST', '/', { tag: 't', configuration: {} })).status).toBe(400);
    await call('DELETE', created.location as string);
  });
});

describe('persistent stores and big segments', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 30_000);
  afterAll(() => redis?.stop());

  it('reads a store in daemon mode, flag by flag, when no stream or poll is configured', async () => {
    const raw = createRedisClient({ url: redis.url });
    await raw.connect();
    const item = { ...flags.flags['string-flag'], variations: ['from-redis'] };
    await raw.hSet('svc:features', 'string-flag', JSON.stringify(item));
    const created = await createClient({
      persistentDataStore: { store: { type: 'redis', dsn: redis.url, prefix: 'svc' }, cache: { mode: 'infinite' } },
    });
    expect(created.status).toBe(201);
    const evaluate = () =>
      command(created.location as string, 'evaluate', { flagKey: 'string-flag', context: { key: 'u' }, valueType: 'string', defaultValue: 'd' });
    expect((await evaluate()).json).toEqual({ value: 'from-redis' });
    // Cached for good: a change in the store is not seen.
    await raw.hSet('svc:features', 'string-flag', JSON.stringify({ ...item, version: 2, variations: ['changed'] }));
    expect((await evaluate()).json).toEqual({ value: 'from-redis' });
    expect(ld.requests).toHaveLength(0);
    await call('DELETE', created.location as string);
    await raw.quit();
  });

  it('drives big segments through the callback fixture and reports its status', async () => {
    const segment = { key: 'big', version: 1, unbounded: true, generation: 3, rules: [], salt: 'b' };
    const flag = {
      key: 'big-flag',
      version: 1,
      on: true,
      rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big'] }], variation: 1 }],
      fallthrough: { variation: 0 },
      variations: [false, true],
      salt: 'f',
    };
    ld.streams.setData({ flags: { [flag.key]: flag }, segments: { big: segment } });
    const asked: Array<{ path: string; body: string }> = [];
    const fixture = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        asked.push({ path: req.url ?? '', body });
        const answer = req.url === '/getMetadata' ? { lastUpToDate: Date.now() } : { values: { 'big.g3': true } };
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}`;
    const created = await createClient({ streaming: { baseUri: ld.baseUri }, bigSegments: { callbackUri: uri } });
    expect(created.status).toBe(201);
    const result = await command(created.location as string, 'evaluate', {
      flagKey: 'big-flag',
      context: { key: 'member' },
      valueType: 'bool',
      defaultValue: false,
      detail: true,
    });
    expect(result.json).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'r', bigSegmentsStatus: 'HEALTHY' },
    });
    expect(asked.filter((a) => a.path === '/getMembership').map((a) => JSON.parse(a.body))).toHaveLength(1);
    expect((await command(created.location as string, 'getBigSegmentStoreStatus')).json).toEqual({ available: true, stale: false });
    await call('DELETE', created.location as string);
    await new Promise((resolve) => fixture.close(resolve));
  });
});

describe('context commands', () => {
  let client: string;
  beforeEach(async () => {
    client = (await createClient({ streaming: { baseUri: ld.baseUri } })).location as string;
  });

  const convert = async (input: string) => (await command(client, 'contextConvert', { input })).json;

  it('convert valid contexts to their canonical JSON', async () => {
    for (const [input, expected] of [
      ['{"kind": "org", "key": "x", "anonymous": true, "attr1": {"a": [1]}}', { kind: 'org', key: 'x', anonymous: true, attr1: { a: [1] } }],
      ['{"kind": "org", "key": "x", "name": null, "attr1": null, "_meta": {"privateAttributes": []}}', { kind: 'org', key: 'x' }],
      ['{"kind": "org", "key": "x", "_meta": {"privateAttributes": ["y"]}}', { kind: 'org', key: 'x', _meta: { privateAttributes: ['y'] } }],
      ['{"kind": "multi", "org": {"key": "a", "name": "b"}}', { kind: 'org', key: 'a', name: 'b' }],
      ['{"kind": "multi", "org": {"key": "a"}, "user": {"key": "b"}}', { kind: 'multi', org: { key: 'a' }, user: { key: 'b' } }],
      ['{"key": ""}', { kind: 'user', key: '' }],
      [
        '{"key": "a", "name": "n", "anonymous": true, "custom": {"b": 1, "c": null}, "privateAttributeNames": ["b"]}',
        { kind: 'user', key: 'a', name: 'n', b: 1, anonymous: true, _meta: { privateAttributes: ['b'] } },
      ],
      ['{"key": "a", "anonymous": null, "email": null, "privateAttributeNames": null}', { kind: 'user', key: 'a' }],
    ] as const) {
      const result = await convert(input);
      expect(result.error, input).toBeUndefined();
      expect(JSON.parse(result.output as string), input).toEqual(expected);
    }
  });

  it('refuse invalid contexts with an error in the body', async () => {
    for (const input of [
      '',
      '{',
      'true',
      '{"kind": null, "key": "x"}',
      '{"kind": "org", "key": null}',
      '{"kind": "org", "key": 3}',
      '{"kind": "org", "key": "x", "name": 3}',
      '{"kind": "org", "key": "x", "anonymous": "yes"}',
      '{"kind": "org", "key": "x", "_meta": {"privateAttributes": {}}}',
      '{"kind": "kind", "key": "x"}',
      '{"kind": "multi"}',
      '{"kind": "", "key": "x"}',
      '{"kind": "org!", "key": "x"}',
      '{"kind": "multi", "org@": {"key": "x"}}',
      '{}',
      '{"key": true}',
      '{"key": "a", "custom": 3}',
      '{"key": "a", "anonymous": 3}',
      '{"key": "a", "ip": 3}',
    ]) {
      const result = await convert(input);
      expect(result.error, input).toEqual(expect.any(String));
      expect(result.output, input).toBeUndefined();
    }
  });

  it('build contexts from builder parameters', async () => {
    const build = async (params: unknown) => JSON.parse((await command(client, 'contextBuild', params)).json.output as string);
    expect(await build({ single: { key: 'a', anonymous: false, custom: { attr: null } } })).toEqual({ kind: 'user', key: 'a' });
    expect(await build({ single: { kind: 'org', key: 'a', name: 'b', anonymous: true, private: ['/x'], custom: { c: [1] } } })).toEqual({
      kind: 'org',
      key: 'a',
      name: 'b',
      anonymous: true,
      c: [1],
      _meta: { privateAttributes: ['/x'] },
    });
    expect(await build({ multi: [{ kind: 'org', key: 'a' }, { key: 'b' }] })).toEqual({ kind: 'multi', org: { key: 'a' }, user: { key: 'b' } });
    expect(await build({ multi: [{ kind: 'org', key: 'a' }] })).toEqual({ kind: 'org', key: 'a' });
  });

  it('compare contexts regardless of attribute, private attribute and kind order', async () => {
    const equals = async (context1: unknown, context2: unknown) =>
      (await command(client, 'contextComparison', { context1, context2 })).json.equals as boolean;
    const address = { street: '1 Way', city: 'Town' };
    const user = (extra: object = {}) => ({ single: { kind: 'user', key: 'k', ...extra } });
    expect(
      await equals(
        user({ attributes: [{ name: 'name', value: 'n' }, { name: 'address', value: address }] }),
        user({ attributes: [{ name: 'address', value: { city: 'Town', street: '1 Way' } }, { name: 'name', value: 'n' }] }),
      ),
    ).toBe(true);
    expect(
      await equals(
        user({ privateAttributes: [{ value: '/address/street', literal: false }, { value: 'name', literal: false }] }),
        user({ privateAttributes: [{ value: 'name', literal: false }, { value: '/address/street', literal: false }] }),
      ),
    ).toBe(true);
    expect(
      await equals(
        user({ privateAttributes: [{ value: '/address/street', literal: true }] }),
        user({ privateAttributes: [{ value: '/~1address~1street', literal: false }] }),
      ),
    ).toBe(true);
    expect(await equals({ single: { kind: 'org', key: 'k' } }, user())).toBe(false);
    expect(await equals(user({ attributes: [{ name: 'c', value: { a: 1 } }] }), user({ attributes: [{ name: 'c', value: { a: 1, b: true } }] }))).toBe(false);
    const org = { kind: 'org', key: 'o' };
    const person = { kind: 'user', key: 'k' };
    expect(await equals({ multi: [person, org] }, { multi: [org, person] })).toBe(true);
    expect(await equals({ multi: [person] }, { single: person })).toBe(true);
    expect(await equals({ multi: [person, org] }, { multi: [person, org, { kind: 'device', key: 'd' }] })).toBe(false);
    expect(await equals({ multi: [person, org] }, { multi: [{ kind: 'user', key: 'k2' }, org] })).toBe(false);
  });
});
