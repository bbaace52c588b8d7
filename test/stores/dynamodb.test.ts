// ldedge/dynamodb against dynalite (DynamoDB's API) on loopback: over its own signed fetch, and
// over a client of @aws-sdk/client-dynamodb.
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { recordingLogger } from '../helpers/logger.js';
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { DYNAMO_CREDENTIALS, DYNAMO_REGION, startDynamoServer, type DynamoServer } from '../helpers/dynamoServer.js';
import { describeStore, type Kind, type Layout } from './storeSuite.js';

const TABLE = 'ld-flags';
let server: DynamoServer;
const servers: DynamoServer[] = [];
const NS: Record<Kind, string> = { flags: 'features', segments: 'segments' };
const ns = (prefix: string | undefined, name: string) => (prefix ? `${prefix}:${name}` : name);

afterAll(async () => {
  for (const s of servers) await s.stop();
});

async function query(namespace: string): Promise<Array<Record<string, { S?: string; N?: string }>>> {
  const out = await server.call('Query', {
    TableName: TABLE,
    ConsistentRead: true,
    KeyConditionExpression: '#n = :n',
    ExpressionAttributeNames: { '#n': 'namespace' },
    ExpressionAttributeValues: { ':n': { S: namespace } },
  });
  return out.Items;
}

/** The two ways of reaching the table; each suite has a server of its own. */
for (const via of ['signed fetch', 'an AWS SDK client'] as const) describeStore(
  `DynamoDB (${via})`,
  {
    async start() {
      server = await startDynamoServer();
      servers.push(server);
      await server.createTable(TABLE);
    },
    makeStore: (prefix, logger) =>
      via === 'signed fetch'
        ? dynamoDbStore({ table: TABLE, prefix, logger, region: DYNAMO_REGION, endpoint: server.endpoint, credentials: DYNAMO_CREDENTIALS })
        : dynamoDbStore({
            table: TABLE,
            prefix,
            logger,
            client: new DynamoDB({ region: DYNAMO_REGION, endpoint: server.endpoint, credentials: DYNAMO_CREDENTIALS, maxAttempts: 1 }),
          }),
    async writeLayout(prefix, data, inited) {
      for (const kind of ['flags', 'segments'] as const) {
        for (const item of await query(ns(prefix, NS[kind]))) {
          await server.call('DeleteItem', { TableName: TABLE, Key: { namespace: item.namespace, key: item.key } });
        }
        for (const [key, item] of Object.entries(data[kind])) {
          await server.call('PutItem', {
            TableName: TABLE,
            Item: {
              namespace: { S: ns(prefix, NS[kind]) },
              key: { S: key },
              version: { N: String(item.version) },
              item: { S: JSON.stringify(item) },
            },
          });
        }
      }
      const marker = { namespace: { S: ns(prefix, '$inited') }, key: { S: ns(prefix, '$inited') } };
      if (inited) await server.call('PutItem', { TableName: TABLE, Item: marker });
      else await server.call('DeleteItem', { TableName: TABLE, Key: marker });
    },
    async writeRaw(prefix, kind, key, text) {
      await server.call('PutItem', {
        TableName: TABLE,
        Item: { namespace: { S: ns(prefix, NS[kind]) }, key: { S: key }, version: { N: '1' }, item: { S: text } },
      });
    },
    async readLayout(prefix): Promise<Layout> {
      const marker = ns(prefix, '$inited');
      const found = await server.call('GetItem', {
        TableName: TABLE,
        ConsistentRead: true,
        Key: { namespace: { S: marker }, key: { S: marker } },
      });
      const layout: Layout = { flags: {}, segments: {}, inited: found.Item !== undefined };
      for (const kind of ['flags', 'segments'] as const) {
        for (const row of await query(ns(prefix, NS[kind]))) {
          const item = JSON.parse(row.item.S!);
          // Relay's rows carry the item's version beside it.
          if (Number(row.version.N) !== item.version) throw new Error(`row ${row.key.S}: version ${row.version.N} beside item version ${item.version}`);
          layout[kind][row.key.S!] = item;
        }
      }
      return layout;
    },
    location: (prefix, kind, key) => `DynamoDB table "${TABLE}" namespace "${ns(prefix, NS[kind])}" key "${key}"`,
    stopServer: () => server.stop(),
  },
  { defaultPrefix: undefined },
);

it('leaves out an item over DynamoDB\'s 400 KB limit, with an error, and writes the rest', async () => {
  const big = await startDynamoServer();
  servers.push(big);
  await big.createTable(TABLE);
  const logger = recordingLogger();
  const store = dynamoDbStore({ table: TABLE, logger, region: DYNAMO_REGION, endpoint: big.endpoint, credentials: DYNAMO_CREDENTIALS });
  const huge = JSON.stringify({ key: 'huge', version: 1, variations: ['x'.repeat(420 * 1024)] });
  await store.init({ flags: { huge, small: JSON.stringify({ key: 'small', version: 1 }) }, segments: {} });
  expect(logger.lines).toEqual([expect.stringMatching(/flags item "huge" is about 4\d\d KB, over DynamoDB's 400 KB item limit/)]);
  expect(Object.keys(await store.getAll('flags'))).toEqual(['small']);
  expect(await store.isInitialized()).toBe(true);
  await expect(store.upsert('flags', 'huge', 2, huge)).rejects.toThrow(/400 KB item limit/);
});
