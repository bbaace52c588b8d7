// DynamoDB for store tests: dynalite (an implementation of DynamoDB's API) in this process on a
// loopback port, and a signed request helper that writes to it directly, as Relay Proxy would.
import { AwsClient } from 'aws4fetch';
import dynalite from 'dynalite';
import { createServer, type Server } from 'node:http';

export const DYNAMO_CREDENTIALS = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
export const DYNAMO_REGION = 'us-east-1';

export interface DynamoServer {
  readonly endpoint: string;
  /** Calls the API directly: `call('PutItem', {...})`. */
  call(operation: string, input: object): Promise<any>;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * On `port` when given, else on a free one. With `settled`, CreateTable and DeleteTable answer
 * only once the table is active or gone, as DynamoDB Local does (the contract harness, on port
 * 8000, recreates its table and uses it at once); dynalite finishes them just after answering.
 */
export async function startDynamoServer(options: { port?: number; settled?: boolean } = {}): Promise<DynamoServer> {
  const dynamo: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(options.settled ? 0 : (options.port ?? 0), '127.0.0.1', resolve));
  const server = options.settled ? await settlingFront(dynamo, options.port ?? 0) : dynamo;
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
      for (const s of new Set([server, dynamo])) {
        s.closeAllConnections?.();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}

/** A server in front of dynalite that holds table creations and deletions until they are done. */
async function settlingFront(dynamo: Server, port: number): Promise<Server> {
  const behind = `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`;
  const forward = (headers: Record<string, string>, body: string) =>
    fetch(behind, { method: 'POST', headers, body });
  const front = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
    }
    const answer = await forward(headers, body);
    const text = await answer.text();
    const target = headers['x-amz-target'] ?? '';
    if (answer.ok && /\.(CreateTable|DeleteTable)$/.test(target)) {
      const table = (JSON.parse(body) as { TableName: string }).TableName;
      const describe = { ...headers, 'x-amz-target': 'DynamoDB_20120810.DescribeTable' };
      for (let i = 0; i < 200; i++) {
        const state = await forward(describe, JSON.stringify({ TableName: table }));
        const status = state.ok ? ((await state.json()) as { Table: { TableStatus: string } }).Table.TableStatus : 'GONE';
        if (target.endsWith('CreateTable') ? status === 'ACTIVE' : status === 'GONE') break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
    res.end(text);
  });
  await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
  return front;
}
