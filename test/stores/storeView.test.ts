// A persistent store read item by item with a cache, as LaunchDarkly's server SDKs read one (the
// behaviour the contract harness's persistence suites check), pinned here on the in-memory store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { recordingLogger } from '../helpers/logger.js';
import {
  InMemoryPersistentStore,
  init,
  silentLoggerForTests,
  type FlagData,
  type LDClient,
  type LDOptions,
  type SegmentData,
} from '../helpers/sdk.js';

const user = { kind: 'user', key: 'u' };
const flag = (key: string, value: string, version = 1, extra: object = {}): FlagData =>
  ({
    key,
    version,
    on: true,
    fallthrough: { variation: 0 },
    offVariation: 1,
    variations: [value, 'other'],
    salt: key,
    ...extra,
  }) as unknown as FlagData;
const json = (items: Record<string, FlagData | SegmentData>) =>
  Object.fromEntries(Object.entries(items).map(([k, v]) => [k, JSON.stringify(v)]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The in-memory store, counting item reads. */
class CountingStore extends InMemoryPersistentStore {
  reads: string[] = [];
  override async get(kind: 'flags' | 'segments', key: string) {
    this.reads.push(`${kind}:${key}`);
    return super.get(kind, key);
  }
}

let ld: MockLaunchDarkly;
const clients: LDClient[] = [];
const client = (options: LDOptions) => {
  const c = init('sdk-key', { sendEvents: false, logger: silentLoggerForTests, ...options });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  ld = await startMockLaunchDarkly();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});
afterAll(() => ld.close());

describe('daemon mode on a long-lived host reads the store item by item', () => {
  it('prefetch reads a flag, its prerequisite and the segments they use, and nothing else', async () => {
    const store = new CountingStore();
    const segment = { key: 's', version: 1, included: ['u'], rules: [], salt: 's' } as unknown as SegmentData;
    await store.init({
      flags: json({
        top: flag('top', 'yes', 1, { prerequisites: [{ key: 'pre', variation: 0 }] }),
        pre: flag('pre', 'ok', 1, {
          rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }], variation: 0 }],
        }),
        other: flag('other', 'x'),
      }),
      segments: json({ s: segment }),
    });
    const c = client({ useLdd: true, featureStore: store, cacheTtl: 60 });
    await c.prefetch('top');
    expect(store.reads.sort()).toEqual(['flags:pre', 'flags:top', 'segments:s']);
    expect(c.variation('top', user, 'd')).toBe('yes');
    // Cached: no second read within cacheTtl.
    await c.prefetch('top');
    expect(store.reads).toHaveLength(3);
  });

  it('with a very long cacheTtl, a flag read stays and a flag never read is not known', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: json({ a: flag('a', 'A'), b: flag('b', 'B') }), segments: {} });
    const c = client({ useLdd: true, featureStore: store, cacheTtl: 1e6 });
    await c.prefetch('a');
    await store.init({ flags: {}, segments: {} });
    await c.prefetch('a');
    await c.prefetch('b');
    expect(c.variation('a', user, 'd')).toBe('A');
    expect(c.variationDetail('b', user, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
  });

  it('an item older than cacheTtl is served once more while it is read again', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: json({ a: flag('a', 'old') }), segments: {} });
    const c = client({ useLdd: true, featureStore: store, cacheTtl: 0.05 });
    await c.prefetch('a');
    await store.upsert('flags', 'a', 2, JSON.stringify(flag('a', 'new', 2)));
    await sleep(80);
    expect(c.variation('a', user, 'd')).toBe('old');
    await waitFor(() => c.variation('a', user, 'd') === 'new', 'the background read');
  });

  it('a failed read keeps what was held and says so in dataStatus()', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: json({ a: flag('a', 'A') }), segments: {} });
    const logger = recordingLogger();
    const c = client({ useLdd: true, featureStore: store, cacheTtl: 0, logger });
    await c.prefetch('a');
    store.get = async () => {
      throw new Error('store is down');
    };
    await c.prefetch('a');
    expect(c.variation('a', user, 'd')).toBe('A');
    expect(c.dataStatus().lastError).toMatch(/could not read flags "a" from the persistent store: store is down/);
    expect(logger.lines.some((l) => l.includes('store is down'))).toBe(true);
  });

  it('an item that is not JSON is logged with its key and counts as missing', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: { bad: '{not json', a: JSON.stringify(flag('a', 'A')) }, segments: {} });
    const logger = recordingLogger();
    const c = client({ useLdd: true, featureStore: store, logger });
    await c.waitForInitialization();
    expect(c.variation('a', user, 'd')).toBe('A');
    expect(c.variationDetail('bad', user, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
    expect(logger.lines.some((l) => l.includes(`flags "bad" is not a JSON object`))).toBe(true);
  });
});

describe('a streaming client over a store: the store is the truth behind the cache', () => {
  it('a write the store refuses is logged and shown in dataStatus(), and the update still serves', async () => {
    const store = new InMemoryPersistentStore();
    store.upsert = async () => {
      throw new Error('read-only replica');
    };
    ld.streams.setData({ flags: { a: flag('a', 'v1') }, segments: {} });
    const logger = recordingLogger();
    const c = client({ stream: true, streamUri: ld.baseUri, featureStore: store, logger });
    await c.waitForInitialization();
    ld.streams.patch('flags', 'a', flag('a', 'v2', 2));
    await waitFor(() => c.variation('a', user, 'd') === 'v2', 'the patch');
    await waitFor(() => c.dataStatus().lastError !== undefined, 'the failed write reported');
    expect(c.dataStatus().lastError).toBe('could not write flags "a" to the persistent store: read-only replica');
    expect(logger.lines.some((l) => l.includes('read-only replica'))).toBe(true);
  });

  it('writes through, and after cacheTtl reads again what another writer changed or dropped', async () => {
    const store = new InMemoryPersistentStore();
    ld.streams.setData({ flags: { a: flag('a', 'streamed') }, segments: {} });
    const c = client({ stream: true, streamUri: ld.baseUri, featureStore: store, cacheTtl: 0.1 });
    await c.waitForInitialization();
    for (let i = 0; i < 100 && !(await store.isInitialized()); i++) await sleep(10);
    expect(JSON.parse((await store.get('flags', 'a'))!)).toMatchObject({ version: 1 });

    // Another writer puts a newer item and one the stream never sent.
    await store.upsert('flags', 'a', 5, JSON.stringify(flag('a', 'direct', 5)));
    await store.upsert('flags', 'extra', 1, JSON.stringify(flag('extra', 'E')));
    expect(c.variation('a', user, 'd')).toBe('streamed');
    await c.prefetch('extra');
    expect(c.variation('extra', user, 'd')).toBe('E');
    await sleep(150);
    await c.prefetch('a');
    expect(c.variation('a', user, 'd')).toBe('direct');

    // Dropped from the store: gone once the cache expires.
    await store.init({ flags: {}, segments: {} });
    await sleep(150);
    await c.prefetch('a');
    expect(c.variationDetail('a', user, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
  });
});
