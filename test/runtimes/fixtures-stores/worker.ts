// A Worker in daemon mode over a DynamoDB table or a Consul KV store (chosen by the STORE binding),
// both reached with fetch: it answers every flag's detail for the context in the query string.
import { init, type LDClient } from '../../../runtimes/cloudflare/index.js';
import { consulStore } from '../../../stores/consul/index.js';
import { dynamoDbStore } from '../../../stores/dynamodb/index.js';

interface Env {
  STORE: 'dynamodb' | 'consul';
  ENDPOINT: string;
  FLAGS: string;
}

let client: LDClient | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    client ??= init('sdk-key', {
      useLdd: true,
      sendEvents: false,
      featureStore:
        env.STORE === 'consul'
          ? consulStore({ url: env.ENDPOINT, prefix: 'worker' })
          : dynamoDbStore({
              table: 'worker-flags',
              prefix: 'worker',
              region: 'us-east-1',
              endpoint: env.ENDPOINT,
              credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' },
            }),
    });
    await client.waitForInitialization({ timeout: 5 });
    const context = JSON.parse(new URL(request.url).searchParams.get('context')!);
    const details = Object.fromEntries(
      env.FLAGS.split(',').map((key) => [key, client!.variationDetail(key, context, 'default')]),
    );
    return Response.json({ details, status: client.dataStatus().source });
  },
};
