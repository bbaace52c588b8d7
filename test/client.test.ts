// The client's data sources and lifecycle, against a real loopback server speaking LaunchDarkly's
// polling and streaming endpoints.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AllData,
  InMemoryPersistentStore,
  init,
  type FlagData,
  type LDClient,
  type LDOptions,
} from './helpers/sdk.js';
import { init as initEdge } from '../src/lean.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from './helpers/mockLaunchDarkly.js';
import { recordingLogger } from './helpers/logger.js';

function boolFlag(key: string, value: boolean, version = 1): FlagData {
  return {
    key,
    version,
    on: true,
    fallthrough: { variation: value ? 0 : 1 },
    offVariation: 1,
    variations: [true, false],
    salt: key,
  };
}

function dataWith(value: boolean, version = 1) {
  return { flags: { f: boolFlag('f', value, version) }, segments: {} };
}


const user = { kind: 'user', key: 'u1' };

describe('client data sources', () => {
  let ld: MockLaunchDarkly;
  let clients: LDClient[];
  let logger: ReturnType<typeof recordingLogger>;

  function client(options: LDOptions): LDClient {
    const c = init('sdk-test-key', {
      baseUri: ld.baseUri,
      streamUri: ld.baseUri,
      eventsUri: ld.baseUri,
      sendEvents: false,
      logger,
      ...options,
    });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    ld = await startMockLaunchDarkly();
    clients = [];
    logger = recordingLogger();
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await ld.close();
  });

  describe('single poll (the serverless default)', () => {
    it('makes no request until asked, then loads once', async () => {
      ld.polling.setData(dataWith(true));
      const c = client({});
      expect(c.variationDetail('f', user, 'd')).toEqual({
        value: 'd',
        variationIndex: undefined,
        reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' },
      });
      expect(ld.requests).toHaveLength(0);
      await c.waitForInitialization();
      expect(c.boolVariation('f', user, false)).toBe(true);
      expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
      expect(c.dataStatus().source).toBe('poll');
      expect(c.dataStatus().loadedAt).toBeGreaterThan(Date.now() - 5000);
    });

    it('sends the SDK key, user agent, wrapper and tags', async () => {
      ld.polling.setData(dataWith(true));
      const c = client({
        wrapperName: 'my-wrapper',
        wrapperVersion: '2.0',
        application: { id: 'checkout', version: '1.2.3' },
      });
      await c.waitForInitialization();
      const headers = ld.requestsTo('/sdk/latest-all')[0].headers;
      expect(headers.authorization).toBe('sdk-test-key');
      expect(headers['user-agent']).toMatch(/^ldedge\/\d+\.\d+\.\d+/);
      expect(headers['x-launchdarkly-wrapper']).toBe('my-wrapper/2.0');
      expect(headers['x-launchdarkly-tags']).toBe('application-id/checkout application-version/1.2.3');
    });

    it('concurrent waits share one request', async () => {
      ld.polling.setData(dataWith(true));
      ld.polling.delayMs = 100;
      const c = client({});
      await Promise.all([c.waitForInitialization(), c.waitForInitialization(), c.waitForInitialization()]);
      expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
    });

    it('reuses data within the TTL and revalidates with If-None-Match after it', async () => {
      ld.polling.setData(dataWith(true));
      const c = client({ cacheTtl: 0.2 });
      await c.waitForInitialization();
      await c.waitForInitialization();
      expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
      const firstLoad = c.dataStatus().loadedAt!;

      await new Promise((r) => setTimeout(r, 250));
      await c.waitForInitialization();
      const polls = ld.requestsTo('/sdk/latest-all');
      expect(polls).toHaveLength(2);
      expect(polls[1].headers['if-none-match']).toBe(ld.polling.etag);
      expect(c.boolVariation('f', user, false)).toBe(true); // the 304 kept the data
      expect(c.dataStatus().loadedAt).toBeGreaterThan(firstLoad);

      ld.polling.setData(dataWith(false, 2));
      await new Promise((r) => setTimeout(r, 250));
      await c.waitForInitialization();
      expect(c.boolVariation('f', user, true)).toBe(false);
    });

    it('a failed refresh keeps the last good data and says so', async () => {
      ld.polling.setData(dataWith(true));
      const c = client({ cacheTtl: 0.05 });
      await c.waitForInitialization();
      for (const fail of [() => ld.polling.failNext(500), () => ld.polling.setBody('{"flags": ', '"broken"')]) {
        fail();
        await new Promise((r) => setTimeout(r, 80));
        await c.waitForInitialization();
        expect(c.boolVariation('f', user, false)).toBe(true);
        expect(c.dataStatus().lastError).toBeDefined();
      }
      expect(logger.lines.filter((l) => l.includes('keeping the flags loaded before'))).toHaveLength(2);
    });

    it('rejects with the reason when the first load fails', async () => {
      ld.polling.failNext(401);
      const c = client({});
      await expect(c.waitForInitialization()).rejects.toThrow(/HTTP 401/);
      expect(c.variationDetail('f', user, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' });
      ld.polling.setBody('not json');
      await expect(c.waitForInitialization()).rejects.toThrow(/not valid JSON/);
    });

    it('gives up on a hung response at the connect timeout, and on a slow one at the wait timeout', async () => {
      ld.polling.hangNext();
      const c = client({ connectTimeout: 0.2 });
      const started = Date.now();
      await expect(c.waitForInitialization({ timeout: 5 })).rejects.toThrow(/timed out after 200 ms/);
      expect(Date.now() - started).toBeLessThan(4000);

      ld.polling.setData(dataWith(true));
      ld.polling.delayMs = 1000;
      const slow = client({});
      await expect(slow.waitForInitialization({ timeout: 0.1 })).rejects.toThrow(/not loaded within 0.1 s/);
      await slow.waitForInitialization({ timeout: 5 });
      expect(slow.boolVariation('f', user, false)).toBe(true);
    });

    it('a load that never settles is abandoned once it outlives the timeouts', async () => {
      let loads = 0;
      const loader = {
        name: 'flaky',
        load: () => {
          loads++;
          // The first load hangs for good, as I/O cancelled under it by the host would.
          return loads === 1 ? new Promise<never>(() => {}) : Promise.resolve(dataWith(true) as unknown as AllData);
        },
      };
      const c = client({ dataSource: loader, connectTimeout: 0.05, readTimeout: 0.05 });
      await expect(c.waitForInitialization({ timeout: 0.05 })).rejects.toThrow(/not loaded within/);
      await expect(c.waitForInitialization({ timeout: 0.01 })).rejects.toThrow(/not loaded within/);
      expect(loads).toBe(1); // still within the timeouts: the load in flight is shared
      await new Promise((r) => setTimeout(r, 150));
      await c.waitForInitialization({ timeout: 1 });
      expect(loads).toBe(2);
      expect(c.boolVariation('f', user, false)).toBe(true);
    });

    it('never logs the SDK key', async () => {
      ld.polling.failNext(401);
      const c = client({});
      await c.waitForInitialization().catch(() => {});
      c.variation('missing', user, null);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.lines.join('\n')).not.toContain('sdk-test-key');
    });
  });

  describe('polling loop', () => {
    it('keeps polling at the interval and applies changes', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        ld.polling.setData(dataWith(true));
        const c = client({ pollInterval: 30 });
        await vi.waitFor(() => expect(c.initialized()).toBe(true));
        expect(c.dataStatus().source).toBe('polling');
        ld.polling.setData(dataWith(false, 2));
        await vi.advanceTimersByTimeAsync(30_000);
        await vi.waitFor(() => expect(c.boolVariation('f', user, true)).toBe(false));
        expect(ld.requestsTo('/sdk/latest-all').length).toBe(2);
        await c.close();
        await vi.advanceTimersByTimeAsync(120_000);
        expect(ld.requestsTo('/sdk/latest-all').length).toBe(2);
      } finally {
        vi.useRealTimers();
      }
    });

    it('clamps an interval below 30 s, naming the option', () => {
      client({ pollInterval: 5 });
      expect(logger.lines).toContain('warn: option "pollInterval" must be at least 30, got 5; using 30');
    });
  });

  describe('streaming', () => {
    it('loads from the stream and applies patches as they come', async () => {
      ld.streams.setData(dataWith(true));
      const c = client({ stream: true });
      await c.waitForInitialization();
      expect(c.dataStatus().source).toBe('stream');
      expect(c.boolVariation('f', user, false)).toBe(true);
      ld.streams.patch('flags', 'f', boolFlag('f', false, 2));
      await waitFor(() => c.boolVariation('f', user, true) === false);
      ld.streams.patch('flags', 'f', boolFlag('f', true, 1)); // older: ignored
      ld.streams.delete('flags', 'f', 3);
      await waitFor(() => c.variationDetail('f', user, 'd').reason.kind === 'ERROR');
      expect(c.variationDetail('f', user, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(0);
    });

    it('a 401 rejects the wait and stops the stream', async () => {
      ld.streams.failNext(401, 5);
      const c = client({ stream: true });
      await expect(c.waitForInitialization({ timeout: 2 })).rejects.toThrow(/401/);
      await new Promise((r) => setTimeout(r, 200));
      expect(ld.streams.connections).toBe(1);
    });
  });

  describe('KV-style store', () => {
    it('reads the LD-Env entry once per TTL, as text or as an object', async () => {
      for (const stored of [JSON.stringify(dataWith(true)), dataWith(true)]) {
        const kv = new Map<string, unknown>([['LD-Env-client-side-id', stored]]);
        const get = vi.spyOn(kv, 'get');
        const c = client({ kvStore: kv, clientSideId: 'client-side-id' });
        await c.waitForInitialization();
        await c.waitForInitialization();
        expect(c.boolVariation('f', user, false)).toBe(true);
        expect(get).toHaveBeenCalledTimes(1);
        expect(get).toHaveBeenCalledWith('LD-Env-client-side-id');
        expect(c.dataStatus().source).toBe('kv');
      }
      expect(ld.requests).toHaveLength(0);
    });

    it('a missing entry is a clear error', async () => {
      const c = client({ kvStore: new Map(), clientSideId: 'abc' });
      await expect(c.waitForInitialization()).rejects.toThrow(/no entry "LD-Env-abc"/);
    });

    it('a store without the client-side id is refused at init', () => {
      expect(() => client({ kvStore: new Map() })).toThrow(/"kvStore" needs "clientSideId"/);
    });
  });

  describe('daemon mode over a persistent store', () => {
    it('reads flags only from the store, item by item, with or without the $inited marker', async () => {
      const store = new InMemoryPersistentStore();
      const c = client({ useLdd: true, featureStore: store, cacheTtl: 0.1 });
      await c.waitForInitialization();
      expect(c.variationDetail('f', user, false).reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      await store.init({ flags: { f: JSON.stringify(boolFlag('f', true)) }, segments: {} });
      // A miss is kept for cacheTtl too; then prefetch reads the flag again.
      await c.prefetch('f');
      expect(c.boolVariation('f', user, false)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await c.prefetch('f');
      expect(c.boolVariation('f', user, false)).toBe(true);
      expect(ld.requests).toHaveLength(0);
    });

    it('a streaming client writes through to the store for daemon-mode readers', async () => {
      const store = new InMemoryPersistentStore();
      ld.streams.setData(dataWith(true));
      const writer = client({ stream: true, featureStore: store });
      await writer.waitForInitialization();
      await vi.waitFor(async () => expect(await store.isInitialized()).toBe(true));
      ld.streams.patch('flags', 'f', boolFlag('f', false, 2));
      await vi.waitFor(async () => expect(JSON.parse((await store.get('flags', 'f')) ?? '{}').version).toBe(2));
      const reader = client({ useLdd: true, featureStore: store });
      await reader.waitForInitialization();
      expect(reader.boolVariation('f', user, true)).toBe(false);
    });

    it('the edge entry point leaves write-through out, and says so', async () => {
      const store = new InMemoryPersistentStore();
      const kvStore = new Map([['LD-Env-abc', JSON.stringify(dataWith(true))]]);
      const edge = initEdge('sdk-test-key', { kvStore, clientSideId: 'abc', featureStore: store, sendEvents: false, logger });
      clients.push(edge);
      await edge.waitForInitialization();
      expect(edge.boolVariation('f', user, false)).toBe(true);
      expect(await store.isInitialized()).toBe(false);
      expect(logger.lines.filter((l) => l.startsWith('warn: option "featureStore"'))).toHaveLength(1);
      const full = client({ kvStore, clientSideId: 'abc', featureStore: store });
      await full.waitForInitialization();
      await vi.waitFor(async () => expect(await store.isInitialized()).toBe(true));
    });
  });

  describe('offline mode', () => {
    it('makes no request of any kind and returns defaults', async () => {
      const fetchSpy = vi.fn(() => {
        throw new Error('offline mode must not fetch');
      });
      for (const extra of [{}, { stream: true }, { pollInterval: 60 }]) {
        const c = client({ offline: true, fetch: fetchSpy as unknown as typeof fetch, ...extra });
        await c.waitForInitialization();
        expect(c.variation('f', user, 'default')).toBe('default');
        expect(c.dataStatus().source).toBe('offline');
        await c.close();
      }
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(ld.requests).toHaveLength(0);
    });

    it('answers as LaunchDarkly does offline, a payload given or not: CLIENT_NOT_READY, an invalid state', async () => {
      for (const extra of [{}, { payload: JSON.stringify(dataWith(true)) }]) {
        const c = client({ offline: true, ...extra });
        await c.waitForInitialization();
        expect(c.isOffline()).toBe(true);
        expect(c.initialized()).toBe(true);
        expect(c.boolVariationDetail('f', user, false)).toEqual({
          value: false,
          variationIndex: undefined,
          reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' },
        });
        expect(c.allFlagsState(user).toJSON()).toEqual({ $flagsState: {}, $valid: false });
        expect(c.dataStatus().source).toBe('offline');
      }
      // Offline is quiet: defaults are what it is for.
      expect(logger.lines).toEqual([]);
      const online = client({ payload: JSON.stringify(dataWith(true)) });
      expect(online.isOffline()).toBe(false);
      expect(online.boolVariation('f', user, false)).toBe(true);
      expect(online.allFlagsState(user).valid).toBe(true);
    });
  });
});
