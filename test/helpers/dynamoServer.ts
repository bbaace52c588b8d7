// DynamoDB for store tests: dynalite (an implementation of DynamoDB's API) in this process on a
// loopback port, and a signed request helper that writes to it directly, as Relay Proxy would.
import { AwsClient } from 'aws4fetch';
import dynalite from 'dynalite';
import type { Server } from 'node:http';

export const DYNAMO_CREDENTIALS = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
export const DYNAMO_REGION = 'us-east-1';

export interface DynamoServer {
  readonly endpoint: string;
  /** Calls the API directly: `call('PutItem', {...})`. */
  call(operation: string, input: object): Promise<any>;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynamoServer(): Promise<DynamoServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const signer = new AwsClient({ ...DYNAMO_CREDENTIALS, region: DYNAMO_REGION, service: 'dynamodb', retries: 0 });
  const call = async (operation: string, input: object) => {
    const response = await signer.fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${operation}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    endpoint,
    call,
    async createTable(name) {
      await call('CreateTable', {
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'namespace', AttributeType: 'S' },
          { AttributeName: 'key', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'namespace', KeyType: 'HASH' },
          { AttributeName: 'key', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      });
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
