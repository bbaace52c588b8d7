/**
 * The harness's `persistentDataStore` configuration: a store from ldedge/redis, ldedge/dynamodb or
 * ldedge/consul, and its cache mode as ldedge's `cacheTtl`.
 */
import type { LDLogger, LDOptions, PersistentDataStore } from '../../src/index.js';
import { consulStore } from '../../stores/consul/index.js';
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { redisStore } from '../../stores/redis/index.js';

type Maybe<T> = T | null | undefined;

export interface HarnessPersistence {
  store: { type: 'redis' | 'dynamodb' | 'consul'; prefix?: Maybe<string>; dsn: string };
  cache: { mode: 'off' | 'ttl' | 'infinite'; ttl?: Maybe<number> };
}

/** The harness's DynamoDB table; it signs with dummy credentials, which its DynamoDB does not check. */
const DYNAMO_TABLE = 'sdk-contract-tests';

/** "Forever" for the infinite cache mode: a century, in seconds. */
const FOREVER = 100 * 365 * 24 * 3600;

export function persistentStore(config: HarnessPersistence, logger: LDLogger): PersistentDataStore & { close(): Promise<void> } {
  const { type, dsn } = config.store;
  const prefix = config.store.prefix ?? undefined;
  switch (type) {
    case 'redis':
      return redisStore({ url: dsn, prefix, logger });
    case 'dynamodb':
      return dynamoDbStore({
        table: DYNAMO_TABLE,
        endpoint: dsn,
        region: 'us-east-1',
        credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
        prefix,
        logger,
      });
    case 'consul':
      // The harness gives Consul's address as host:port.
      return consulStore({ url: /^https?:/.test(dsn) ? dsn : `http://${dsn}`, prefix, logger });
    default:
      throw new Error(`unknown persistent store type ${JSON.stringify(type)}`);
  }
}

export function cacheTtl(cache: HarnessPersistence['cache']): LDOptions['cacheTtl'] {
  if (cache.mode === 'infinite') return FOREVER;
  if (cache.mode === 'ttl') return typeof cache.ttl === 'number' && cache.ttl > 0 ? cache.ttl : 30;
  return 0;
}
