/**
 * ldedge/sync against a loopback LaunchDarkly: one poll writes a target only when the data set
 * changed (the version stored beside it is sent as If-None-Match), a refused key is one line with
 * the key's last four characters, a failed write leaves the previous entry and is retried, and
 * the streaming relay writes each change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryPersistentStore } from '../../src/data/persistentStore.js';
import { init } from '../../src/index.js';
import {
  cloudflareKv,
  createSync,
  persistentStore,
  startRelay,
  SyncAuthError,
  syncHandler,
  syncOnce,
  versionKey,
  versionedKvLoader,
  type KVNamespaceWriter,
} from '../../sync/index.js';
import { recordingLogger } from '../helpers/logger.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const SDK_KEY = 'sdk-0000-1111-wxyz';
const KEY = 'LD-Env-cs-1';

function flag(key: string, version: number, value: unknown) {
  return { key, version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: key };
}

function dataSet(version: number, value: unknown) {
  return { flags: { banner: flag('banner', version, value) }, segments: {} };
}

/** A KV namespace in memory that counts writes and can be told to fail them. */
function memoryKv() {
  const values = new Map<string, string>();
  const kv = {
    values,
    puts: 0,
    failPuts: 0,
    async get(key: string) {
      return values.get(key) ?? null;
    },
    async put(key: string, value: string) {
      if (kv.failPuts > 0) {
        kv.failPuts--;
        throw new Error('KV is unavailable');
      }
      kv.puts++;
      values.set(key, value);
    },
  } satisfies KVNamespaceWriter & Record<string, unknown>;
  return kv;
}

/** What a reader evaluates from the entry: the flag's value through the engine. */
async function served(text: string | undefined): Promise<unknown> {
  const client = init('sdk-reader', { payload: text, sendEvents: false });
  await client.waitForInitialization();
  return client.variation('banner', { kind: 'user', key: 'u' }, 'default');
}

let ld: MockLaunchDarkly;
beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
});
afterEach(async () => {
  await ld.close();
});

describe('syncOnce / createSync', () => {
  it('writes the entry and its version, then writes nothing while LaunchDarkly answers 304', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const options = { sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() };

    expect(await syncOnce(options)).toEqual({ written: true, version: '"v1"' });
    expect(kv.puts).toBe(2);
    expect(JSON.parse(kv.values.get(KEY)!)).toEqual(dataSet(1, 'one'));
    expect(kv.values.get(versionKey(KEY))).toBe('"v1"');
    expect(await served(kv.values.get(KEY))).toBe('one');

    // A fresh sync (a new cron run) finds the stored version and sends it.
    expect(await syncOnce(options)).toEqual({ written: false, version: '"v1"' });
    expect(kv.puts).toBe(2);
    const polls = ld.requestsTo('/sdk/latest-all');
    expect(polls[0].headers['if-none-match']).toBeUndefined();
    expect(polls[1].headers['if-none-match']).toBe('"v1"');
    expect(polls[1].headers.authorization).toBe(SDK_KEY);

    ld.polling.setData(dataSet(2, 'two'));
    expect(await syncOnce(options)).toEqual({ written: true, version: '"v2"' });
    expect(kv.puts).toBe(4);
    expect(await served(kv.values.get(KEY))).toBe('two');
  });

  it('sends the payload filter and validates its options with errors naming them', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    await syncOnce({ sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), payloadFilterKey: 'edge-only', logger: recordingLogger() });
    expect(ld.requestsTo('/sdk/latest-all')[0].url).toBe('/sdk/latest-all?filter=edge-only');

    const base = { sdkKey: SDK_KEY, clientSideId: 'cs-1', target: cloudflareKv(kv) };
    expect(() => createSync({ ...base, sdkKey: '' })).toThrow(/"sdkKey"/);
    expect(() => createSync({ ...base, clientSideId: undefined })).toThrow(/target "cloudflare-kv" needs option "clientSideId"/);
    expect(() => createSync({ ...base, payloadFilterKey: 'bad key' })).toThrow(/"payloadFilterKey"/);
    expect(() => createSync({ ...base, baseUri: 'ftp://x' })).toThrow(/"baseUri" must be an http\(s\) URL/);
    expect(() => createSync({ ...base, target: {} as never })).toThrow(/"target"/);
    expect(() => cloudflareKv({} as never)).toThrow(/KV namespace binding/);
  });

  it('stops on a refused key with one message naming only its last four characters', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const logger = recordingLogger();
    const wrongKey = 'sdk-secret-part-abcd';
    const failure = await syncOnce({ sdkKey: wrongKey, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SyncAuthError);
    expect((failure as Error).message).toBe('LaunchDarkly refused the SDK key ending in "abcd" (HTTP 401); check the key and its environment');
    expect((failure as Error).message).not.toContain('secret');
    expect(logger.lines.filter((l) => !l.startsWith('debug'))).toEqual([]);
    expect(kv.puts).toBe(0);
  });

  it('keeps the previous entry when a write fails, and writes on the next run', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const sync = createSync({ sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() });
    await sync.run();
    ld.polling.setData(dataSet(2, 'two'));
    kv.failPuts = 1;
    await expect(sync.run()).rejects.toThrow('KV is unavailable');
    expect(await served(kv.values.get(KEY))).toBe('one');
    expect(kv.values.get(versionKey(KEY))).toBe('"v1"');

    // The failed run did not count as written: the next one asks with v1 again and writes v2.
    expect(await sync.run()).toEqual({ written: true, version: '"v2"' });
    expect(ld.requestsTo('/sdk/latest-all').at(-1)!.headers['if-none-match']).toBe('"v1"');
    expect(await served(kv.values.get(KEY))).toBe('two');
    expect(kv.values.get(versionKey(KEY))).toBe('"v2"');
  });

  it('writes nothing unusable: an answer that is not a data set is an error and the entry stays', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const options = { sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() };
    await syncOnce(options);
    ld.polling.setBody('{"flags": [', '"v9"');
    await expect(syncOnce(options)).rejects.toThrow(/not JSON/);
    ld.polling.failNext(503);
    await expect(syncOnce(options)).rejects.toThrow(/HTTP 503/);
    await expect(syncOnce({ ...options, baseUri: 'http://127.0.0.1:1' })).rejects.toThrow(/^could not reach LaunchDarkly at http:\/\/127.0.0.1:1: fetch failed \(.+\); cloudflare-kv not written$/);
    expect(await served(kv.values.get(KEY))).toBe('one');
  });

  it('with a persistent store, an unchanged data set is found in the store and not written again', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const store = new InMemoryPersistentStore();
    let inits = 0;
    const counting = Object.assign(Object.create(store) as InMemoryPersistentStore, {
      init: (data: Parameters<InMemoryPersistentStore['init']>[0]) => (inits++, store.init(data)),
    });
    const options = { sdkKey: SDK_KEY, baseUri: ld.baseUri, target: persistentStore(counting), logger: recordingLogger() };
    expect((await syncOnce(options)).written).toBe(true);
    expect(JSON.parse((await store.get('flags', 'banner'))!)).toEqual(flag('banner', 1, 'one'));
    expect(await store.isInitialized()).toBe(true);
    // A new process: no version to send, so LaunchDarkly answers 200, and the store holds it.
    expect((await syncOnce(options)).written).toBe(false);
    ld.polling.setData(dataSet(2, 'two'));
    expect((await syncOnce(options)).written).toBe(true);
    expect(inits).toBe(2);
  });

  it('syncHandler keeps its sync across invocations, so a warm one costs a 304', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    let reads = 0;
    const handler = syncHandler(() => {
      reads++;
      return { sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() };
    });
    const scheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    expect(await handler(scheduledEvent)).toEqual({ written: true, version: '"v1"' });
    expect(await handler(scheduledEvent)).toEqual({ written: false, version: '"v1"' });
    expect(reads).toBe(1);
    expect(ld.requestsTo('/sdk/latest-all').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
  });
});

describe('startRelay', () => {
  it('writes the stream\'s data set, then each patch and delete as an item of the store', async () => {
    ld.streams.setData(dataSet(1, 'one'));
    const store = new InMemoryPersistentStore();
    const relay = startRelay({ sdkKey: SDK_KEY, streamUri: ld.baseUri, target: persistentStore(store), logger: recordingLogger() });
    try {
      await relay.ready;
      expect(JSON.parse((await store.get('flags', 'banner'))!).version).toBe(1);
      ld.streams.patch('flags', 'banner', flag('banner', 2, 'two'));
      await waitFor(() => relay.writes === 2, 'the patch to be written');
      expect(JSON.parse((await store.get('flags', 'banner'))!)).toEqual(flag('banner', 2, 'two'));
      // An older version is not written.
      ld.streams.patch('flags', 'banner', flag('banner', 1, 'old'));
      ld.streams.delete('flags', 'banner', 3);
      await waitFor(() => relay.writes === 3, 'the delete to be written');
      expect(JSON.parse((await store.get('flags', 'banner'))!)).toEqual({ key: 'banner', version: 3, deleted: true });
    } finally {
      relay.close();
    }
    await relay.done;
  });

  it('rewrites a KV entry on each change, without tombstones, and skips a reconnect\'s identical put', async () => {
    ld.streams.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const relay = startRelay({ sdkKey: SDK_KEY, clientSideId: 'cs-1', streamUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger(), initialReconnectDelay: 0.01 });
    try {
      await relay.ready;
      ld.streams.patch('flags', 'banner', flag('banner', 2, 'two'));
      await waitFor(() => relay.writes === 2, 'the patch to be written');
      expect(await served(kv.values.get(KEY))).toBe('two');
      ld.streams.delete('flags', 'banner', 3);
      await waitFor(() => relay.writes === 3, 'the delete to be written');
      expect(JSON.parse(kv.values.get(KEY)!)).toEqual({ flags: {}, segments: {} });

      ld.streams.setData({ flags: {}, segments: {} });
      const connections = ld.streams.connections;
      ld.streams.drop();
      await waitFor(() => ld.streams.connections > connections && ld.streams.openCount === 1, 'the stream to reconnect');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(relay.writes).toBe(3);
    } finally {
      relay.close();
    }
  });

  it('retries a failed write with the change still pending', async () => {
    ld.streams.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const logger = recordingLogger();
    const relay = startRelay({ sdkKey: SDK_KEY, clientSideId: 'cs-1', streamUri: ld.baseUri, target: cloudflareKv(kv), logger, retryDelay: 0.02 });
    try {
      await relay.ready;
      kv.failPuts = 2;
      ld.streams.patch('flags', 'banner', flag('banner', 2, 'two'));
      await waitFor(() => relay.writes === 2, 'the retried write');
      expect(await served(kv.values.get(KEY))).toBe('two');
      expect(logger.lines.filter((l) => l.startsWith('warn: could not write to cloudflare-kv (KV is unavailable)'))).toHaveLength(2);
    } finally {
      relay.close();
    }
  });

  it('stops on a refused key, reporting it once through ready and done', async () => {
    ld.streams.setData(dataSet(1, 'one'));
    const logger = recordingLogger();
    const relay = startRelay({ sdkKey: 'sdk-wrong-9876', clientSideId: 'cs-1', streamUri: ld.baseUri, target: cloudflareKv(memoryKv()), logger });
    await expect(relay.ready).rejects.toThrow('LaunchDarkly refused the SDK key ending in "9876" (HTTP 401)');
    await expect(relay.done).rejects.toBeInstanceOf(SyncAuthError);
    expect(logger.lines.filter((l) => l.startsWith('error') || l.startsWith('warn'))).toEqual([]);
    expect(ld.streams.connections).toBe(1);
  });
});

describe('versionedKvLoader', () => {
  it('reads the entry only when the version beside it changed, and only the version otherwise', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const reads: string[] = [];
    const store = { get: (key: string) => (reads.push(key), kv.get(key)) };
    const sync = createSync({ sdkKey: SDK_KEY, clientSideId: 'cs-1', baseUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() });
    await sync.run();

    const client = init('sdk-reader', { dataSource: versionedKvLoader(store, KEY), cacheTtl: 0, sendEvents: false });
    const user = { kind: 'user', key: 'u' };
    await client.waitForInitialization();
    expect(client.variation('banner', user, 'default')).toBe('one');
    await client.waitForInitialization();
    await client.waitForInitialization();
    expect(reads).toEqual([versionKey(KEY), KEY, versionKey(KEY), versionKey(KEY)]);

    ld.polling.setData(dataSet(2, 'two'));
    await sync.run();
    await client.waitForInitialization();
    expect(client.variation('banner', user, 'default')).toBe('two');
    expect(reads.slice(4)).toEqual([versionKey(KEY), KEY]);
    await client.close();
  });

  it('reads the whole entry every time when no version is stored beside it', async () => {
    const values = new Map([[KEY, JSON.stringify(dataSet(1, 'one'))]]);
    let entryReads = 0;
    const store = { get: (key: string) => (key === KEY && entryReads++, values.get(key)) };
    const client = init('sdk-reader', { dataSource: versionedKvLoader(store, KEY), cacheTtl: 0, sendEvents: false });
    await client.waitForInitialization();
    values.set(KEY, JSON.stringify(dataSet(2, 'two')));
    await client.waitForInitialization();
    expect(client.variation('banner', { kind: 'user', key: 'u' }, 'default')).toBe('two');
    expect(entryReads).toBe(2);
    await client.close();
  });
});

describe('startRelay, pacing', () => {
  it('gathers changes into one write a second for Cloudflare KV, which takes no more per key', async () => {
    ld.streams.setData(dataSet(1, 'one'));
    const kv = memoryKv();
    const entryWrites: number[] = [];
    const put = kv.put;
    kv.put = async (key, value) => {
      if (key === KEY) entryWrites.push(performance.now());
      return put(key, value);
    };
    const relay = startRelay({ sdkKey: SDK_KEY, clientSideId: 'cs-1', streamUri: ld.baseUri, target: cloudflareKv(kv), logger: recordingLogger() });
    try {
      await relay.ready;
      for (let v = 2; v <= 4; v++) ld.streams.patch('flags', 'banner', flag('banner', v, `v${v}`));
      await waitFor(() => relay.writes === 2, 'the gathered write', { timeoutMs: 3000 });
      expect(await served(kv.values.get(KEY))).toBe('v4');
      expect(entryWrites).toHaveLength(2);
      expect(entryWrites[1] - entryWrites[0]).toBeGreaterThanOrEqual(990);
      expect(entryWrites[1] - entryWrites[0]).toBeLessThan(1500);
    } finally {
      relay.close();
    }
  });
});

describe('startRelay, stopping', () => {
  it('stops with an Error when the stream answers with a status retrying cannot fix', async () => {
    ld.streams.failNext(404);
    const relay = startRelay({ sdkKey: SDK_KEY, clientSideId: 'cs-1', streamUri: ld.baseUri, target: cloudflareKv(memoryKv()), logger: recordingLogger(), initialReconnectDelay: 0.01 });
    await expect(relay.done).rejects.toThrow('LaunchDarkly\'s stream answered HTTP 404; the relay has stopped (check "streamUri")');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ld.streams.connections).toBe(1);
  });
});
