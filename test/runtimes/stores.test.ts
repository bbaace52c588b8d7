// ldedge/dynamodb and ldedge/consul inside workerd (through miniflare, no nodejs_compat), in daemon
// mode over a table and a KV store on loopback that the test fills in Relay Proxy's layout.
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsulServer, type ConsulServer } from '../helpers/consulServer.js';
import { startDynamoServer, type DynamoServer } from '../helpers/dynamoServer.js';
import { init, type LDContext } from '../helpers/sdk.js';
import { DATA } from '../stores/storeSuite.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FLAGS = [...Object.keys(DATA.flags), 'missing'];
const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'alice' },
  { kind: 'user', key: 'bob', groups: ['beta'] },
  { kind: 'multi', user: { key: 'dave' }, org: { key: 'acme' } },
];

let mf: Miniflare;
/** The part of miniflare's worker handle used here (its own types are workerd's). */
interface WorkerHandle {
  fetch(url: string): Promise<{ status: number; json(): Promise<unknown> }>;
}
let dynamo: DynamoServer;
let consul: ConsulServer;
let script: string;

beforeAll(async () => {
  dynamo = await startDynamoServer();
  await dynamo.createTable('worker-flags');
  for (const kind of ['flags', 'segments'] as const) {
    for (const [key, item] of Object.entries(DATA[kind])) {
      await dynamo.call('PutItem', {
        TableName: 'worker-flags',
        Item: {
          namespace: { S: `worker:${kind === 'flags' ? 'features' : 'segments'}` },
          key: { S: key },
          version: { N: String(item.version) },
          item: { S: JSON.stringify(item) },
        },
      });
    }
  }
  await dynamo.call('PutItem', { TableName: 'worker-flags', Item: { namespace: { S: 'worker:$inited' }, key: { S: 'worker:$inited' } } });
  consul = await startConsulServer();
  for (const kind of ['flags', 'segments'] as const) {
    for (const [key, item] of Object.entries(DATA[kind])) {
      await fetch(`${consul.url}/v1/kv/worker/${kind === 'flags' ? 'features' : 'segments'}/${key}`, { method: 'PUT', body: JSON.stringify(item) });
    }
  }
  await fetch(`${consul.url}/v1/kv/worker/$inited`, { method: 'PUT', body: '' });

  const bundled = await build({
    entryPoints: [`${ROOT}test/runtimes/fixtures-stores/worker.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  script = bundled.outputFiles[0].text;
  const worker = (name: string, store: string, endpoint: string) => ({
    name,
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    bindings: { STORE: store, ENDPOINT: endpoint, FLAGS: FLAGS.join(',') },
  });
  mf = new Miniflare({
    cf: false,
    log: new Log(LogLevel.WARN),
    workers: [worker('dynamodb', 'dynamodb', dynamo.endpoint), worker('consul', 'consul', consul.url)],
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await dynamo?.stop();
  await consul?.stop();
});

describe('fetch-based stores in workerd', () => {
  it('bundle without Node imports', () => {
    expect(script).not.toMatch(/["']node:|\brequire\(/);
  });

  for (const store of ['dynamodb', 'consul']) {
    it(`ldedge/${store} serves a Worker in daemon mode as the same data inline`, async () => {
      const inline = init('sdk-key', { payload: DATA, sendEvents: false });
      const worker = (await mf.getWorker(store)) as unknown as WorkerHandle;
      for (const context of CONTEXTS) {
        const res = await worker.fetch(`http://worker/?context=${encodeURIComponent(JSON.stringify(context))}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { details: Record<string, unknown>; status: string };
        expect(body.status).toBe('store');
        expect(body.details).toEqual(Object.fromEntries(FLAGS.map((key) => [key, inline.variationDetail(key, context, 'default')])));
      }
    });
  }
});
