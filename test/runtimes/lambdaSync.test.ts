/**
 * The Lambda sync example as the Lambda runtime runs it on an EventBridge schedule: the exported
 * handler called with a Scheduled Event, warm invocations in one module instance and a cold start
 * as a fresh one, writing to DynamoDB (dynalite on loopback) in Relay Proxy's layout.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { init } from '../../runtimes/lambda/index.js';
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { DYNAMO_CREDENTIALS, DYNAMO_REGION, startDynamoServer, type DynamoServer } from '../helpers/dynamoServer.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const SDK_KEY = 'sdk-lambda-sync-test';
const TABLE = 'ld-flags';

function dataSet(version: number, value: string) {
  return {
    flags: { banner: { key: 'banner', version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: 's' } },
    segments: {},
  };
}

const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-03T12:00:00Z',
  region: DYNAMO_REGION,
  resources: ['arn:aws:events:us-east-1:123456789012:rule/ld-sync'],
  detail: {},
};

let dynamo: DynamoServer;
let ld: MockLaunchDarkly;

beforeAll(async () => {
  dynamo = await startDynamoServer();
  await dynamo.createTable(TABLE);
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
});
afterAll(async () => {
  await ld?.close();
  await dynamo?.stop();
});

/** A function reading the table in daemon mode, as the functions the sync serves do. */
async function served(): Promise<unknown> {
  const store = dynamoDbStore({ table: TABLE, prefix: 'prod', region: DYNAMO_REGION, endpoint: dynamo.endpoint, credentials: DYNAMO_CREDENTIALS });
  const client = init('sdk-reader', { useLdd: true, featureStore: store, sendEvents: false });
  await client.waitForInitialization();
  const value = client.variation('banner', { kind: 'user', key: 'u' }, 'default');
  await client.close();
  return value;
}

async function coldStart() {
  vi.resetModules();
  return (await import('../../examples/lambda/sync.js')).handler;
}

describe('the EventBridge-scheduled sync Lambda', () => {
  it('writes DynamoDB when the data set changed and only then, warm or cold', async () => {
    for (const [name, value] of Object.entries({
      LD_SDK_KEY: SDK_KEY,
      LD_BASE_URI: ld.baseUri,
      LD_TABLE: TABLE,
      LD_PREFIX: 'prod',
      LD_DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: DYNAMO_REGION,
      AWS_ACCESS_KEY_ID: DYNAMO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DYNAMO_CREDENTIALS.secretAccessKey,
    })) vi.stubEnv(name, value);
    try {
      ld.polling.setData(dataSet(1, 'one'));
      let handler = await coldStart();
      expect(await handler(scheduledEvent)).toEqual({ written: true, version: '"v1"' });
      expect(await served()).toBe('one');
      // Warm: a 304.
      expect(await handler(scheduledEvent)).toEqual({ written: false, version: '"v1"' });
      expect(ld.requestsTo('/sdk/latest-all').at(-1)!.headers['if-none-match']).toBe('"v1"');
      // Cold: nothing to send as If-None-Match, but the table already holds these versions.
      handler = await coldStart();
      expect(await handler(scheduledEvent)).toEqual({ written: false, version: '"v1"' });

      ld.polling.setData(dataSet(2, 'two'));
      expect(await handler(scheduledEvent)).toEqual({ written: true, version: '"v2"' });
      expect(await served()).toBe('two');

      // A revoked key fails the invocation with one line naming the key's end.
      vi.stubEnv('LD_SDK_KEY', 'sdk-revoked-key-0042');
      handler = await coldStart();
      await expect(handler(scheduledEvent)).rejects.toThrow('LaunchDarkly refused the SDK key ending in "0042" (HTTP 401)');
      expect(await served()).toBe('two');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
