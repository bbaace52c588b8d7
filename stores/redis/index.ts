/**
 * ldedge/redis: a persistent store and big-segment store in the Redis layout of LaunchDarkly's
 * Relay Proxy and server SDKs, through the `redis` package. Node and Lambda only: Redis speaks
 * TCP, which edge hosts do not offer.
 *
 * Layout, with the default prefix `launchdarkly`:
 *   <prefix>:features, <prefix>:segments   hashes: field = key, value = the item's JSON
 *   <prefix>:$inited                       a string, present once a full data set was written
 *   <prefix>:big_segment_include:<hash>    sets of segment refs (`<key>.g<generation>`)
 *   <prefix>:big_segment_exclude:<hash>
 *   <prefix>:big_segments_synchronized_on  when the big segments were last synchronised (epoch ms)
 */
import { createClient } from 'redis';
import {
  membershipFrom,
  type BigSegmentMembership,
  type BigSegmentStore,
  type BigSegmentStoreMetadata,
} from '../../src/data/bigSegments.js';
import type { PersistentDataStore } from '../../src/data/persistentStore.js';
import {
  NAMESPACES,
  optionalString,
  storeLogger,
  usableItems,
  type StoreData,
  type StoreOptions,
} from '../../src/data/storeLayout.js';
import type { DataKind } from '../../src/data/types.js';

/**
 * The one method used of a Redis client: node-redis clients (`createClient()`) have it, in every
 * major version. Replies may be RESP2 (arrays) or RESP3 (maps).
 */
export interface RedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface RedisStoreOptions extends StoreOptions {
  /** `redis://host:port` (or `rediss://`); a client is made and connected on first use. */
  url?: string;
  /** A client you already have; the store neither connects nor closes it. */
  client?: RedisClientLike;
}

export interface RedisStore extends PersistentDataStore, BigSegmentStore {
  init(data: StoreData): Promise<void>;
  upsert(kind: DataKind, key: string, version: number, json: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_REDIS_PREFIX = 'launchdarkly';

// Writes run as scripts so that each is one atomic step on the server, as Relay's transactions are.

/** Replaces both hashes and sets `$inited`. ARGV: flag count, flag key/JSON pairs, then segment pairs. */
const INIT_SCRIPT = `
redis.call('DEL', KEYS[1], KEYS[2])
local flags = tonumber(ARGV[1])
for i = 2, 1 + flags * 2, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 2 + flags * 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[3], '')
return 1`;

/**
 * Writes one item unless the one stored has the same or a later version. A stored item that is
 * not JSON with a version is replaced. Returns 1 when written.
 */
const UPSERT_SCRIPT = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local ok, item = pcall(cjson.decode, held)
  if ok and type(item) == 'table' and type(item.version) == 'number' and item.version >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

/** A reply as a plain object: RESP2 gives `[field, value, …]`, RESP3 a map. */
function toRecord(reply: unknown): Record<string, unknown> {
  if (Array.isArray(reply)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
    return out;
  }
  if (reply instanceof Map) return Object.fromEntries(reply);
  return typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>) : {};
}

function toStrings(reply: unknown): string[] {
  if (Array.isArray(reply)) return reply.map(String);
  if (reply instanceof Set) return [...reply].map(String);
  return [];
}

/**
 * A client made from a URL: connected on first use, reconnecting in the background after that.
 * While it is not connected, commands fail at once (with the last connection error) rather than
 * queue, so a load fails quickly and the client keeps the flags it holds.
 */
function urlClient(url: string, onError: (err: Error) => void): { get(): Promise<RedisClientLike>; close(): Promise<void> } {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) },
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
    onError(err);
  });
  let first: Promise<void> | undefined;
  return {
    async get() {
      if (client.isReady) return client;
      if (first === undefined) {
        // The first attempt, shared by the calls that wait for it: settled by whichever comes
        // first, being ready or failing. After a failure the client reconnects by itself.
        first = new Promise<void>((resolve, reject) => {
          const ready = () => {
            client.off('error', failed);
            resolve();
          };
          const failed = (err: Error) => {
            client.off('ready', ready);
            reject(err);
          };
          client.once('ready', ready);
          client.once('error', failed);
          client.connect().catch(failed);
        });
      }
      await first.catch(() => undefined);
      if (client.isReady) return client;
      throw new Error(lastError?.message ?? 'Redis is not connected');
    },
    async close() {
      if (first === undefined) return;
      first = undefined;
      try {
        client.destroy();
      } catch {
        // Never connected: nothing to close.
      }
    },
  };
}

/** A store over Redis in Relay Proxy's layout. Give `url` or `client`. */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  const logger = storeLogger(options);
  const prefix = optionalString(options.prefix, 'prefix') || DEFAULT_REDIS_PREFIX;
  const url = optionalString(options.url, 'url');
  if (options.client !== undefined && typeof options.client.sendCommand !== 'function') {
    throw new TypeError('option "client" must be a Redis client (with sendCommand())');
  }
  if ((url === undefined) === (options.client === undefined)) {
    throw new TypeError('redisStore needs one of the options "url" and "client"');
  }
  let lastError = '';
  const own =
    url === undefined
      ? undefined
      : urlClient(url, (err) => {
          // Reconnection repeats the same error; say it once until it changes.
          if (err.message !== lastError) logger.warn(`Redis at ${redactUrl(url)}: ${(lastError = err.message)}`);
        });
  const call = async (...args: string[]) => (await (own ? own.get() : Promise.resolve(options.client!))).sendCommand(args);
  const hash = (kind: DataKind) => `${prefix}:${NAMESPACES[kind]}`;
  const where = (kind: DataKind) => (key: string) => `Redis hash "${hash(kind)}" field "${key}"`;

  return {
    async getAll(kind) {
      return usableItems(toRecord(await call('HGETALL', hash(kind))), kind, where(kind), logger);
    },
    async get(kind, key) {
      const reply = await call('HGET', hash(kind), key);
      if (reply === null || reply === undefined) return undefined;
      return usableItems({ [key]: String(reply) }, kind, where(kind), logger)[key];
    },
    async isInitialized() {
      return Number(await call('EXISTS', `${prefix}:$inited`)) === 1;
    },
    async init(data: StoreData) {
      const args: string[] = [String(Object.keys(data.flags).length)];
      for (const kind of ['flags', 'segments'] as const) {
        for (const [key, json] of Object.entries(data[kind])) args.push(key, json);
      }
      await call('EVAL', INIT_SCRIPT, '3', hash('flags'), hash('segments'), `${prefix}:$inited`, ...args);
    },
    async upsert(kind, key, version, json) {
      await call('EVAL', UPSERT_SCRIPT, '1', hash(kind), key, String(version), json);
    },
    async getMetadata(): Promise<BigSegmentStoreMetadata> {
      const value = await call('GET', `${prefix}:big_segments_synchronized_on`);
      const lastUpToDate = value === null || value === undefined || value === '' ? undefined : Number(value);
      return { lastUpToDate: Number.isFinite(lastUpToDate) ? lastUpToDate : undefined };
    },
    async getMembership(contextHash): Promise<BigSegmentMembership | undefined> {
      const [included, excluded] = await Promise.all([
        call('SMEMBERS', `${prefix}:big_segment_include:${contextHash}`),
        call('SMEMBERS', `${prefix}:big_segment_exclude:${contextHash}`),
      ]);
      return membershipFrom(toStrings(included), toStrings(excluded));
    },
    async close() {
      await own?.close();
    },
  };
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'xxxx';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
