// Big segments: ldedge over Redis and DynamoDB big-segment layouts written as Relay Proxy writes
// them, compared with LaunchDarkly's Node SDK given the same membership through its own store API.
import LaunchDarkly from '@launchdarkly/node-server-sdk';
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { redisStore } from '../../stores/redis/index.js';
import { DYNAMO_CREDENTIALS, DYNAMO_REGION, startDynamoServer, type DynamoServer } from '../helpers/dynamoServer.js';
import { recordingLogger } from '../helpers/logger.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import {
  bigSegmentContextHash,
  bigSegments,
  init,
  silentLoggerForTests,
  type AllData,
  type BigSegmentStore,
  type LDContext,
} from '../helpers/sdk.js';

const flag = (key: string, segment: string, extra: object = {}) => ({
  key,
  version: 1,
  on: true,
  rules: [{ id: `${key}-rule`, clauses: [{ attribute: 'key', op: 'segmentMatch', values: [segment] }], variation: 1 }],
  fallthrough: { variation: 0 },
  offVariation: 0,
  variations: ['out', 'in'],
  salt: key,
  ...extra,
});

const DATA = {
  flags: {
    'big-user': flag('big-user', 'big'),
    'big-org': flag('big-org', 'big-org'),
    'big-with-rules': flag('big-with-rules', 'big-rules'),
    unconfigured: flag('unconfigured', 'no-generation'),
    'needs-big': {
      key: 'needs-big',
      version: 1,
      on: true,
      prerequisites: [{ key: 'big-user', variation: 1 }],
      fallthrough: { variation: 1 },
      offVariation: 0,
      variations: [false, true],
      salt: 'p',
    },
    plain: flag('plain', 'small'),
  },
  segments: {
    // Targets of an unbounded segment are not used: membership comes from the store.
    big: { key: 'big', version: 3, unbounded: true, generation: 2, included: ['zed'], rules: [], salt: 'b' },
    'big-org': { key: 'big-org', version: 1, unbounded: true, unboundedContextKind: 'org', generation: 5, rules: [], salt: 'o' },
    'big-rules': {
      key: 'big-rules',
      version: 1,
      unbounded: true,
      generation: 1,
      rules: [{ id: 'gold', clauses: [{ attribute: 'tier', op: 'in', values: ['gold'] }] }],
      salt: 'r',
    },
    'no-generation': { key: 'no-generation', version: 1, unbounded: true, rules: [], salt: 'n' },
    small: { key: 'small', version: 1, included: ['ann'], rules: [], salt: 's' },
  },
} as unknown as AllData;

/** Membership by context key: the segment refs each is included in and excluded from. */
const MEMBERS: Record<string, { included: string[]; excluded: string[] }> = {
  ann: { included: ['big.g2', 'big-rules.g1'], excluded: [] },
  bob: { included: [], excluded: ['big.g2', 'big-rules.g1'] },
  // An older generation of the segment does not count.
  cat: { included: ['big.g1'], excluded: [] },
  acme: { included: ['big-org.g5'], excluded: [] },
  // Both: the include wins.
  dan: { included: ['big.g2'], excluded: ['big.g2'] },
};

const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'ann' },
  { kind: 'user', key: 'bob', tier: 'gold' },
  { kind: 'user', key: 'cat', tier: 'gold' },
  { kind: 'user', key: 'dan' },
  { kind: 'user', key: 'zed' },
  { kind: 'user', key: 'nobody', tier: 'silver' },
  { kind: 'org', key: 'acme' },
  { kind: 'multi', user: { key: 'ann' }, org: { key: 'acme' } },
  { kind: 'multi', user: { key: 'nobody', tier: 'gold' }, org: { key: 'other' } },
];

const sha256 = (key: string) => createHash('sha256').update(key).digest('base64');

/** LaunchDarkly's Node SDK over the same membership, through its big-segment store interface. */
function nodeStore(lastUpToDate: number | undefined, fail?: 'membership' | 'metadata') {
  const byHash = new Map(Object.entries(MEMBERS).map(([key, m]) => [sha256(key), m]));
  return {
    async getMetadata() {
      if (fail === 'metadata') throw new Error('metadata unavailable');
      return { lastUpToDate };
    },
    async getUserMembership(hash: string) {
      if (fail === 'membership') throw new Error('membership unavailable');
      const m = byHash.get(hash);
      if (m === undefined) return undefined;
      const out: Record<string, boolean> = {};
      for (const ref of m.excluded) out[ref] = false;
      for (const ref of m.included) out[ref] = true;
      return out;
    },
    close() {},
  };
}

let ld: MockLaunchDarkly;
let redis: RedisServer;
let raw: ReturnType<typeof createClient>;
let dynamo: DynamoServer;
const TABLE = 'big-segments';
const closing: Array<() => unknown> = [];

beforeAll(async () => {
  ld = await startMockLaunchDarkly();
  ld.polling.setData(DATA);
  redis = await startRedisServer();
  raw = createClient({ url: redis.url });
  raw.on('error', () => undefined);
  await raw.connect();
  dynamo = await startDynamoServer();
  await dynamo.createTable(TABLE);
}, 60_000);

afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

afterAll(async () => {
  raw?.destroy();
  await redis?.stop();
  await dynamo?.stop();
  await ld?.close();
});

/** Relay's Redis layout for the membership table and a sync time. */
async function writeRedis(prefix: string, lastUpToDate: number | undefined) {
  for (const [key, m] of Object.entries(MEMBERS)) {
    if (m.included.length) await raw.sAdd(`${prefix}:big_segment_include:${sha256(key)}`, m.included);
    if (m.excluded.length) await raw.sAdd(`${prefix}:big_segment_exclude:${sha256(key)}`, m.excluded);
  }
  await raw.set(`${prefix}:big_segments_synchronized_on`, lastUpToDate === undefined ? '' : String(lastUpToDate));
}

/** Relay's DynamoDB layout for the same. */
async function writeDynamo(prefix: string, lastUpToDate: number | undefined) {
  for (const [key, m] of Object.entries(MEMBERS)) {
    const item: Record<string, unknown> = { namespace: { S: `${prefix}:big_segments_user` }, key: { S: sha256(key) } };
    if (m.included.length) item.included = { SS: m.included };
    if (m.excluded.length) item.excluded = { SS: m.excluded };
    await dynamo.call('PutItem', { TableName: TABLE, Item: item });
  }
  const metadataKey = `${prefix}:big_segments_metadata`;
  const metadata: Record<string, unknown> = { namespace: { S: metadataKey }, key: { S: metadataKey } };
  if (lastUpToDate !== undefined) metadata.synchronizedOn = { N: String(lastUpToDate) };
  await dynamo.call('PutItem', { TableName: TABLE, Item: metadata });
}

/** LaunchDarkly's Node SDK polling the loopback service, with the big-segment store given. */
async function nodeSdk(node?: ReturnType<typeof nodeStore>) {
  const theirs = LaunchDarkly.init('sdk-key', {
    baseUri: ld.baseUri,
    stream: false,
    sendEvents: false,
    diagnosticOptOut: true,
    logger: silentLoggerForTests,
    ...(node && { bigSegments: { store: () => node, statusPollInterval: 60 } }),
  });
  closing.push(() => theirs.close());
  await theirs.waitForInitialization({ timeout: 10 });
  return theirs;
}

/** Each flag for each context from both, in order; `before` runs ahead of each context's evaluations. */
async function evaluateBoth(
  ours: ReturnType<typeof init>,
  theirs: Awaited<ReturnType<typeof nodeSdk>>,
  before?: (context: LDContext) => Promise<void>,
) {
  const mine: unknown[] = [];
  const reference: unknown[] = [];
  for (const context of CONTEXTS) {
    await before?.(context);
    for (const key of Object.keys(DATA.flags)) {
      mine.push({ key, context, ...ours.variationDetail(key, context, 'default') });
      reference.push({ key, context, ...(await theirs.variationDetail(key, context as never, 'default')) });
    }
  }
  return { mine, reference };
}

/** Every flag for every context, from ldedge (prefetching first) and from the Node SDK. */
async function compare(store: BigSegmentStore, node: ReturnType<typeof nodeStore>) {
  const big = bigSegments(store, { logger: silentLoggerForTests });
  const ours = init('sdk-key', { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests, bigSegments: big });
  closing.push(() => ours.close());
  await ours.waitForInitialization();
  const { mine, reference } = await evaluateBoth(ours, await nodeSdk(node), (context) => big.prefetch(context));
  expect(mine).toEqual(reference);
  return mine as Array<{ key: string; context: LDContext; value: unknown; reason: { bigSegmentsStatus?: string } }>;
}

const pick = (results: Awaited<ReturnType<typeof compare>>, key: string, contextKey: string) =>
  results.find((r) => r.key === key && JSON.stringify(r.context).includes(`"${contextKey}"`))!;

describe('big segments evaluate as the Node SDK does', () => {
  it('hashes a context key as the stores are keyed: base64 of SHA-256', async () => {
    expect(await bigSegmentContextHash('ann')).toBe(sha256('ann'));
    expect(await bigSegmentContextHash('ünïcode✓')).toBe(sha256('ünïcode✓'));
  });

  it('over Relay’s Redis layout, with a healthy store', async () => {
    const now = Date.now();
    await writeRedis('healthy', now);
    const store = redisStore({ url: redis.url, prefix: 'healthy' });
    closing.push(() => store.close());
    const results = await compare(store, nodeStore(now));
    // The comparison covers each outcome, not only defaults.
    expect(pick(results, 'big-user', 'ann')).toMatchObject({ value: 'in', reason: { bigSegmentsStatus: 'HEALTHY' } });
    expect(pick(results, 'big-user', 'bob')).toMatchObject({ value: 'out' });
    expect(pick(results, 'big-user', 'dan')).toMatchObject({ value: 'in' });
    expect(pick(results, 'big-with-rules', 'cat')).toMatchObject({ value: 'in' });
    expect(pick(results, 'big-with-rules', 'bob')).toMatchObject({ value: 'out' });
    expect(pick(results, 'big-org', 'acme')).toMatchObject({ value: 'in' });
    expect(pick(results, 'unconfigured', 'ann')).toMatchObject({ value: 'out', reason: { bigSegmentsStatus: 'NOT_CONFIGURED' } });
    expect(pick(results, 'plain', 'ann').reason.bigSegmentsStatus).toBeUndefined();
    expect(pick(results, 'needs-big', 'ann')).toMatchObject({ value: true, reason: { bigSegmentsStatus: 'HEALTHY' } });
  });

  it('over Relay’s DynamoDB layout, with a stale store', async () => {
    const longAgo = Date.now() - 3600_000;
    await writeDynamo('stale', longAgo);
    const store = dynamoDbStore({
      table: TABLE,
      prefix: 'stale',
      region: DYNAMO_REGION,
      endpoint: dynamo.endpoint,
      credentials: DYNAMO_CREDENTIALS,
    });
    const results = await compare(store, nodeStore(longAgo));
    expect(pick(results, 'big-user', 'ann')).toMatchObject({ value: 'in', reason: { bigSegmentsStatus: 'STALE' } });
  });

  it('with a store that was never synchronised', async () => {
    await writeRedis('never', undefined);
    const store = redisStore({ url: redis.url, prefix: 'never' });
    closing.push(() => store.close());
    const results = await compare(store, nodeStore(undefined));
    expect(pick(results, 'big-user', 'ann').reason.bigSegmentsStatus).toBe('STALE');
  });

  for (const fail of ['membership', 'metadata'] as const) {
    it(`when the store's ${fail} query fails`, async () => {
      const failing = nodeStore(Date.now(), fail);
      const store: BigSegmentStore = { getMembership: failing.getUserMembership, getMetadata: failing.getMetadata };
      const results = await compare(store, failing);
      expect(pick(results, 'big-user', 'ann').reason.bigSegmentsStatus).toBe('STORE_ERROR');
    });
  }
});

describe('the membership cache', () => {
  it('answers STORE_ERROR, with a warning, for a context not prefetched, and reads it for next time', async () => {
    const now = Date.now();
    await writeRedis('unfetched', now);
    const store = redisStore({ url: redis.url, prefix: 'unfetched' });
    closing.push(() => store.close());
    const logger = recordingLogger();
    const big = bigSegments(store, { logger });
    const client = init('sdk-key', { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests, bigSegments: big });
    closing.push(() => client.close());
    await client.waitForInitialization();
    await big.prefetch({ kind: 'user', key: 'someone-else' });
    const first = client.variationDetail('big-user', { kind: 'user', key: 'ann' }, 'default');
    expect(first).toMatchObject({ value: 'out', reason: { kind: 'FALLTHROUGH', bigSegmentsStatus: 'STORE_ERROR' } });
    expect(logger.lines).toEqual([expect.stringContaining('"ann" was not prefetched')]);
    await waitFor(
      () => client.variationDetail('big-user', { kind: 'user', key: 'ann' }, 'd').reason.bigSegmentsStatus === 'HEALTHY',
      'the background read of the membership',
    );
    expect(client.variation('big-user', { kind: 'user', key: 'ann' }, 'default')).toBe('in');
  });

  it('keeps a membership for contextCacheTime, then prefetch reads it again', async () => {
    let reads = 0;
    let included = ['big.g2'];
    const store: BigSegmentStore = {
      async getMembership() {
        reads++;
        return Object.fromEntries(included.map((ref) => [ref, true]));
      },
      async getMetadata() {
        return { lastUpToDate: Date.now() };
      },
    };
    const big = bigSegments(store, { contextCacheTime: 0.2, logger: silentLoggerForTests });
    const client = init('sdk-key', { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests, bigSegments: big });
    closing.push(() => client.close());
    await client.waitForInitialization();
    const ann = { kind: 'user', key: 'ann' };
    await big.prefetch(ann);
    await big.prefetch(ann);
    expect(reads).toBe(1);
    included = [];
    expect(client.variation('big-user', ann, 'd')).toBe('in');
    await new Promise((r) => setTimeout(r, 250));
    await big.prefetch(ann);
    expect(reads).toBe(2);
    expect(client.variation('big-user', ann, 'd')).toBe('out');
  });

  it('without the option, big segments apply their rules alone and say NOT_CONFIGURED, as the Node SDK does', async () => {
    const ours = init('sdk-key', { payload: DATA, sendEvents: false, logger: silentLoggerForTests });
    const { mine, reference } = await evaluateBoth(ours, await nodeSdk());
    expect(mine).toEqual(reference);
    // The cases that tell: the rule of an unbounded segment matches, and its targets are ignored.
    expect(ours.variationDetail('big-with-rules', { kind: 'user', key: 'bob', tier: 'gold' }, 'd')).toEqual({
      value: 'in',
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'big-with-rules-rule', bigSegmentsStatus: 'NOT_CONFIGURED' },
    });
    expect(ours.variationDetail('big-user', { kind: 'user', key: 'zed' }, 'd').reason).toEqual({
      kind: 'FALLTHROUGH',
      bigSegmentsStatus: 'NOT_CONFIGURED',
    });
    // A context with no key of the segment's kind does not reach the store question at all.
    expect(ours.variationDetail('big-org', { kind: 'user', key: 'ann' }, 'd').reason).toEqual({ kind: 'FALLTHROUGH' });
  });
});

/** A store in memory that records each query, by the context key whose hash was asked for. */
function recordingStore(members: Record<string, Record<string, boolean>>, lastUpToDate = () => Date.now() as number | undefined) {
  const byHash = new Map(Object.entries(members).map(([key, m]) => [sha256(key), [key, m] as const]));
  const queries: string[] = [];
  let metadataReads = 0;
  let closed = false;
  const store: BigSegmentStore = {
    async getMembership(hash) {
      const [key, m] = byHash.get(hash) ?? [`#${hash}`, undefined];
      queries.push(key);
      return m;
    },
    async getMetadata() {
      metadataReads++;
      return { lastUpToDate: lastUpToDate() };
    },
    async close() {
      closed = true;
    },
  };
  return { store, queries, metadataReads: () => metadataReads, closed: () => closed };
}

describe('prefetch reads what the evaluation needs, as the Node SDK queries it', () => {
  const payloadClient = (big: ReturnType<typeof bigSegments>) => {
    const client = init('sdk-key', { payload: DATA, sendEvents: false, logger: silentLoggerForTests, bigSegments: big });
    closing.push(() => client.close());
    return client;
  };

  it('asks only for the keys the flag reaches, in evaluation order, once per key', async () => {
    const { store, queries } = recordingStore({ ann: { 'big.g2': false }, acme: { 'big-org.g5': true } });
    const big = bigSegments(store, { logger: silentLoggerForTests });
    const client = payloadClient(big);
    const both: LDContext = { kind: 'multi', user: { key: 'ann' }, org: { key: 'acme' } };
    // `big-org` is for org contexts: the user key is never asked about.
    await big.prefetch(both, 'big-org');
    expect(queries).toEqual(['acme']);
    expect(client.variationDetail('big-org', both, 'd')).toMatchObject({ value: 'in', reason: { bigSegmentsStatus: 'HEALTHY' } });
    // Every flag: the user key is needed now, and the org key is cached.
    await big.prefetch(both);
    expect(queries).toEqual(['acme', 'ann']);
    // A segment with no generation has no members to ask about.
    await big.prefetch({ kind: 'user', key: 'zed' }, 'unconfigured');
    expect(queries).toEqual(['acme', 'ann']);
    expect(client.variationDetail('unconfigured', { kind: 'user', key: 'zed' }, 'd').reason).toEqual({
      kind: 'FALLTHROUGH',
      bigSegmentsStatus: 'NOT_CONFIGURED',
    });
  });

  it('reads the membership a prerequisite needs when prefetching the flag that depends on it', async () => {
    // ann is a member of `big`, so `needs-big`'s prerequisite passes and nothing else is asked.
    const { store, queries } = recordingStore({ ann: { 'big.g2': true }, bob: {} });
    const big = bigSegments(store, { logger: silentLoggerForTests });
    const client = payloadClient(big);
    await big.prefetch({ kind: 'user', key: 'ann' }, 'needs-big');
    expect(queries).toEqual(['ann']);
    expect(client.variation('needs-big', { kind: 'user', key: 'ann' }, 'd')).toBe(true);
  });
});

describe('the big-segment store status', () => {
  it('is read on demand at first, and polled in the background by a streaming client, which closes the store', async () => {
    let synced: number | undefined = Date.now();
    const fake = recordingStore({}, () => synced);
    const big = bigSegments(fake.store, { statusPollInterval: 0.05, staleAfter: 60, logger: silentLoggerForTests });
    expect(big.status()).toBeUndefined();
    expect(await big.currentStatus()).toEqual({ available: true, stale: false });
    expect(fake.metadataReads()).toBe(1);

    ld.streams.setData(DATA);
    const client = init('sdk-key', {
      streamUri: ld.baseUri,
      stream: true,
      sendEvents: false,
      logger: silentLoggerForTests,
      bigSegments: big,
    });
    await client.waitForInitialization();
    synced = undefined;
    await waitFor(() => big.status()?.stale === true, 'a background status poll seeing the store never synced');
    expect(fake.metadataReads()).toBeGreaterThanOrEqual(2);
    await client.close();
    expect(fake.closed()).toBe(true);
    const reads = fake.metadataReads();
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.metadataReads()).toBe(reads);
  });

  it('is not polled in the background by a client that loads on demand', async () => {
    const fake = recordingStore({});
    const big = bigSegments(fake.store, { statusPollInterval: 0.05, logger: silentLoggerForTests });
    const client = init('sdk-key', { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests, bigSegments: big });
    closing.push(() => client.close());
    await client.waitForInitialization();
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.metadataReads()).toBe(0);
  });
});
