// The stores' options: clear errors for what cannot work, a client of your own, a server that is
// not there when the client starts.
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consulStore } from '../../stores/consul/index.js';
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { redisStore } from '../../stores/redis/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { recordingLogger } from '../helpers/logger.js';
import { init, silentLoggerForTests } from '../helpers/sdk.js';

describe('store options', () => {
  it('name what is missing or wrong', () => {
    expect(() => redisStore({})).toThrow('redisStore needs one of the options "url" and "client"');
    expect(() => redisStore({ url: 'redis://x', client: { sendCommand: async () => null } })).toThrow(/one of the options/);
    expect(() => redisStore({ client: {} as never })).toThrow('option "client" must be a Redis client (with sendCommand())');
    expect(() => redisStore({ url: 'redis://x', prefix: 3 as never })).toThrow('option "prefix" must be a string, got number');
    expect(() => dynamoDbStore({} as never)).toThrow('option "table" must be the name of the DynamoDB table');
    expect(() => dynamoDbStore({ table: 't' })).toThrow('option "region" must be a region name');
    expect(() => dynamoDbStore({ table: 't', region: 'us-east-1' })).toThrow(/option "credentials" must have/);
    expect(() => dynamoDbStore({ table: 't', client: { query: async () => ({}) } as never })).toThrow(/getItem\(\)/);
    expect(() => consulStore({ url: 5 as never })).toThrow('option "url" must be a string, got number');
  });
});

describe('Redis connections', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  it('uses a client of your own and leaves it open', async () => {
    const own = createClient({ url: server.url });
    await own.connect();
    await own.hSet('mine:features', 'f', JSON.stringify({ key: 'f', version: 1, on: true, fallthrough: { variation: 1 }, variations: [0, 1] }));
    await own.set('mine:$inited', '');
    const store = redisStore({ client: own, prefix: 'mine' });
    const client = init('sdk-key', { useLdd: true, featureStore: store, sendEvents: false, logger: silentLoggerForTests });
    await client.waitForInitialization({ timeout: 5 });
    expect(client.variation('f', { key: 'u' }, -1)).toBe(1);
    await store.close();
    expect(await own.get('mine:$inited')).toBe('');
    own.destroy();
  });

  it('fails a load at once, with the connection error, when the server is not there', async () => {
    const logger = recordingLogger();
    const store = redisStore({ url: 'redis://127.0.0.1:1', logger });
    const client = init('sdk-key', { useLdd: true, featureStore: store, sendEvents: false, logger: silentLoggerForTests });
    const started = Date.now();
    await expect(client.waitForInitialization({ timeout: 5 })).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(client.dataStatus().lastError).toMatch(/^store load failed: .*ECONNREFUSED/);
    await store.close();
    expect(logger.lines.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
  });
});
