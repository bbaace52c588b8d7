/**
 * ldedge/dynamodb: a persistent store and big-segment store in the DynamoDB layout of LaunchDarkly's
 * Relay Proxy and server SDKs. Requests are signed `fetch` calls (`aws4fetch`, Web Crypto), so it
 * runs in every host, Workers included; or give it a `DynamoDB` client of `@aws-sdk/client-dynamodb`.
 *
 * Layout: one table with partition key `namespace` and sort key `key` (both strings).
 *   namespace `<prefix>:features` / `<prefix>:segments`, key = item key: `version` (N), `item` (S, JSON)
 *   namespace = key = `<prefix>:$inited`: present once a full data set was written
 *   namespace `<prefix>:big_segments_user`, key = context hash: `included`, `excluded` (SS of segment refs)
 *   namespace = key = `<prefix>:big_segments_metadata`: `synchronizedOn` (N, epoch ms)
 * Without a prefix, the namespaces are the bare names (`features`, `$inited`, …).
 */
import { AwsClient } from 'aws4fetch';
import {
  membershipFrom,
  type BigSegmentMembership,
  type BigSegmentStore,
  type BigSegmentStoreMetadata,
} from '../../src/data/bigSegments.js';
import type { PersistentDataStore } from '../../src/data/persistentStore.js';
import {
  itemVersion,
  NAMESPACES,
  optionalString,
  storeLogger,
  usableItems,
  type StoreData,
  type StoreOptions,
} from '../../src/data/storeLayout.js';
import type { DataKind } from '../../src/data/types.js';

/** A DynamoDB attribute value as the API writes it. */
export type AttributeValue = { S?: string; N?: string; SS?: string[]; [type: string]: unknown };
type Item = Record<string, AttributeValue>;

/**
 * The methods used of `@aws-sdk/client-dynamodb`'s `DynamoDB` client (the one with a method per
 * operation); inputs and outputs are the API's JSON.
 */
export interface DynamoDbClientLike {
  query(input: object): Promise<unknown>;
  getItem(input: object): Promise<unknown>;
  putItem(input: object): Promise<unknown>;
  batchWriteItem(input: object): Promise<unknown>;
}

export interface DynamoDbCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface DynamoDbStoreOptions extends StoreOptions {
  /** The table's name. */
  table: string;
  /** A client you already have; then `region`, `endpoint` and `credentials` are not used. */
  client?: DynamoDbClientLike;
  /** The AWS region, e.g. `us-east-1`. */
  region?: string;
  /** The endpoint; defaults to `https://dynamodb.<region>.amazonaws.com`. */
  endpoint?: string;
  credentials?: DynamoDbCredentials;
  /** The `fetch` signed requests go through; defaults to the global one. */
  fetch?: typeof fetch;
}

export interface DynamoDbStore extends PersistentDataStore, BigSegmentStore {
  init(data: StoreData): Promise<void>;
  upsert(kind: DataKind, key: string, version: number, json: string): Promise<void>;
  close(): Promise<void>;
}

/** DynamoDB's limit on one item, attribute names and values included. */
const MAX_ITEM_BYTES = 400 * 1024;

type Operation = 'Query' | 'GetItem' | 'PutItem' | 'BatchWriteItem';

/** The table's API over signed fetch. An error names the operation and DynamoDB's message. */
function signedApi(options: DynamoDbStoreOptions): (operation: Operation, input: object) => Promise<any> {
  const { region, credentials } = options;
  if (typeof region !== 'string' || region === '') throw new TypeError('option "region" must be a region name, e.g. "us-east-1"');
  if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
    throw new TypeError('option "credentials" must have string "accessKeyId" and "secretAccessKey"');
  }
  const endpoint = optionalString(options.endpoint, 'endpoint') ?? `https://dynamodb.${region}.amazonaws.com`;
  // No retries inside the signer: the client keeps its flags and tries again after `cacheTtl`.
  const signer = new AwsClient({ ...credentials, region, service: 'dynamodb', retries: 0 });
  const send = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  return async (operation, input) => {
    const request = await signer.sign(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(input),
    });
    const response = await send(request);
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
        message = `${body.__type?.split('#').pop() ?? 'error'}: ${body.message ?? body.Message ?? ''}`;
      } catch {
        // Not JSON: the text as it is.
      }
      const error = new Error(`DynamoDB ${operation} answered ${response.status}: ${message}`);
      error.name = message.startsWith('ConditionalCheckFailed') ? 'ConditionalCheckFailedException' : 'DynamoDbError';
      throw error;
    }
    return JSON.parse(text);
  };
}

/** The same API over a client of `@aws-sdk/client-dynamodb`. */
function clientApi(client: DynamoDbClientLike): (operation: Operation, input: object) => Promise<any> {
  for (const method of ['query', 'getItem', 'putItem', 'batchWriteItem'] as const) {
    if (typeof client[method] !== 'function') {
      throw new TypeError(`option "client" must be a DynamoDB client with ${method}() (DynamoDB from @aws-sdk/client-dynamodb)`);
    }
  }
  return (operation, input) => {
    switch (operation) {
      case 'Query':
        return client.query(input);
      case 'GetItem':
        return client.getItem(input);
      case 'PutItem':
        return client.putItem(input);
      default:
        return client.batchWriteItem(input);
    }
  };
}

/** A store over one DynamoDB table in Relay Proxy's layout. */
export function dynamoDbStore(options: DynamoDbStoreOptions): DynamoDbStore {
  if (typeof options?.table !== 'string' || options.table === '') {
    throw new TypeError('option "table" must be the name of the DynamoDB table');
  }
  const logger = storeLogger(options);
  const table = options.table;
  const prefix = optionalString(options.prefix, 'prefix');
  const api = options.client !== undefined ? clientApi(options.client) : signedApi(options);
  const ns = (name: string) => (prefix ? `${prefix}:${name}` : name);
  const inited = ns('$inited');
  const key = (namespace: string, sortKey: string) => ({ namespace: { S: namespace }, key: { S: sortKey } });
  const where = (kind: DataKind) => (itemKey: string) =>
    `DynamoDB table "${table}" namespace "${ns(NAMESPACES[kind])}" key "${itemKey}"`;

  /** Every item of a namespace, following pages. */
  async function queryAll(namespace: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await api('Query', {
        TableName: table,
        ConsistentRead: true,
        KeyConditionExpression: '#namespace = :namespace',
        ExpressionAttributeNames: { '#namespace': 'namespace' },
        ExpressionAttributeValues: { ':namespace': { S: namespace } },
        ...(start && { ExclusiveStartKey: start }),
      });
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && Object.keys(start).length > 0);
    return items;
  }

  /** Writes requests 25 at a time (the API's limit), resending what DynamoDB left unprocessed. */
  async function batchWrite(requests: object[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: object[] | undefined = requests.slice(i, i + 25);
      for (let tries = 0; pending && pending.length > 0; tries++) {
        if (tries === 5) throw new Error(`DynamoDB left ${pending.length} writes unprocessed 5 times`);
        const result = await api('BatchWriteItem', { RequestItems: { [table]: pending } });
        pending = result.UnprocessedItems?.[table];
      }
    }
  }

  /**
   * Why an item cannot be stored, or undefined: DynamoDB refuses items over 400 KB, and one such
   * item would fail a whole batch, so it is left out with an error instead, as Relay does.
   */
  const tooLarge = (kind: DataKind, itemKey: string, json: string): string | undefined => {
    const size = new TextEncoder().encode(json).length + itemKey.length + ns(NAMESPACES[kind]).length + 100;
    return size > MAX_ITEM_BYTES
      ? `${kind} item "${itemKey}" is about ${Math.round(size / 1024)} KB, over DynamoDB's 400 KB item limit; it is not written`
      : undefined;
  };

  const itemRecord = (kind: DataKind, itemKey: string, json: string): Item => ({
    ...key(ns(NAMESPACES[kind]), itemKey),
    version: { N: String(itemVersion(json) ?? 0) },
    item: { S: json },
  });

  return {
    async getAll(kind) {
      const raw: Record<string, unknown> = {};
      for (const item of await queryAll(ns(NAMESPACES[kind]))) {
        if (typeof item.key?.S === 'string') raw[item.key.S] = item.item?.S;
      }
      return usableItems(raw, kind, where(kind), logger);
    },
    async get(kind, itemKey) {
      const { Item: item } = await api('GetItem', { TableName: table, ConsistentRead: true, Key: key(ns(NAMESPACES[kind]), itemKey) });
      if (item === undefined) return undefined;
      return usableItems({ [itemKey]: item.item?.S }, kind, where(kind), logger)[itemKey];
    },
    async isInitialized() {
      const { Item: item } = await api('GetItem', { TableName: table, ConsistentRead: true, Key: key(inited, inited) });
      return item !== undefined;
    },
    async init(data: StoreData) {
      // Put every item, delete those no longer present, then mark the set complete, as Relay does.
      const requests: object[] = [];
      for (const kind of ['flags', 'segments'] as const) {
        for (const old of await queryAll(ns(NAMESPACES[kind]))) {
          const oldKey = old.key?.S;
          if (oldKey !== undefined && !Object.hasOwn(data[kind], oldKey)) {
            requests.push({ DeleteRequest: { Key: key(ns(NAMESPACES[kind]), oldKey) } });
          }
        }
        for (const [itemKey, json] of Object.entries(data[kind])) {
          const why = tooLarge(kind, itemKey, json);
          if (why === undefined) requests.push({ PutRequest: { Item: itemRecord(kind, itemKey, json) } });
          else logger.error(`DynamoDB table "${table}": ${why}`);
        }
      }
      requests.push({ PutRequest: { Item: key(inited, inited) } });
      await batchWrite(requests);
    },
    async upsert(kind, itemKey, version, json) {
      const why = tooLarge(kind, itemKey, json);
      if (why !== undefined) throw new Error(why);
      try {
        await api('PutItem', {
          TableName: table,
          Item: { ...itemRecord(kind, itemKey, json), version: { N: String(version) } },
          // Written only where there is no item yet, or an older one.
          ConditionExpression: 'attribute_not_exists(#namespace) or attribute_not_exists(#key) or :version > #version',
          ExpressionAttributeNames: { '#namespace': 'namespace', '#key': 'key', '#version': 'version' },
          ExpressionAttributeValues: { ':version': { N: String(version) } },
        });
      } catch (err) {
        // The stored item is as new or newer: nothing to write.
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      }
    },
    async getMetadata(): Promise<BigSegmentStoreMetadata> {
      const metadataKey = ns('big_segments_metadata');
      const { Item: item } = await api('GetItem', { TableName: table, ConsistentRead: true, Key: key(metadataKey, metadataKey) });
      const value = item?.synchronizedOn?.N === undefined ? undefined : Number(item.synchronizedOn.N);
      return { lastUpToDate: Number.isFinite(value) ? value : undefined };
    },
    async getMembership(contextHash): Promise<BigSegmentMembership | undefined> {
      const { Item: item } = await api('GetItem', {
        TableName: table,
        ConsistentRead: true,
        Key: key(ns('big_segments_user'), contextHash),
      });
      if (item === undefined) return undefined;
      return membershipFrom(item.included?.SS ?? [], item.excluded?.SS ?? []);
    },
    async close() {
      // Nothing is held open: every request is a fetch of its own.
    },
  };
}
