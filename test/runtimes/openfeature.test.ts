/**
 * The OpenFeature provider inside workerd (through miniflare), with OpenFeature's own server SDK
 * and the `nodejs_compat` flag it needs: the example Worker evaluates from a seeded KV namespace
 * through OpenFeature's client and the provider's synchronous path, and its `track` reaches the
 * events endpoint through `ctx.waitUntil`.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchDarklyProvider } from '../../adapters/openfeature/index.js';
import { init } from '../../src/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAYLOAD_TEXT = readFileSync(`${ROOT}examples/flags.json`, 'utf8');
const CLIENT_SIDE_ID = 'cs-openfeature';

/** The example's `ldedge/…` imports, resolved to this repository's sources. */
const ldedgeHere: Plugin = {
  name: 'ldedge-here',
  setup(b) {
    b.onResolve({ filter: /^ldedge\/cloudflare$/ }, () => ({ path: `${ROOT}runtimes/cloudflare/index.ts` }));
    b.onResolve({ filter: /^ldedge\/openfeature$/ }, () => ({ path: `${ROOT}adapters/openfeature/index.ts` }));
  },
};

let mock: MockLaunchDarkly;
let mf: Miniflare;
let output = '';

interface Body {
  checkout: Record<string, unknown>;
  banner: Record<string, unknown>;
  uploadMb: number;
}

async function get(query: string): Promise<Body> {
  const worker = (await mf.getWorker()) as unknown as { fetch(url: string): Promise<{ status: number; text(): Promise<string> }> };
  const response = await worker.fetch(`https://worker.test/?${query}`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`status ${response.status}: ${text}\n${output}`);
  return JSON.parse(text) as Body;
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly();
  const bundled = await build({
    entryPoints: [`${ROOT}examples/openfeature/worker.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Provided by workerd under nodejs_compat.
    external: ['node:*', 'async_hooks', 'events'],
    plugins: [ldedgeHere],
    logLevel: 'silent',
  });
  mf = new Miniflare({
    cf: false,
    log: new Log(LogLevel.WARN),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
      stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    },
    modules: true,
    script: bundled.outputFiles[0].text,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    kvNamespaces: { LD_KV: 'kv-openfeature' },
    bindings: { LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID, LD_SDK_KEY: 'sdk-openfeature', LD_EVENTS_URI: mock.baseUri },
  });
  await mf.ready.catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  const kv = (await mf.getKVNamespace('LD_KV')) as unknown as { put(key: string, value: string): Promise<void> };
  await kv.put(`LD-Env-${CLIENT_SIDE_ID}`, PAYLOAD_TEXT);
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await mock?.close();
});

/** The same evaluations by the provider in Node, over the same flags. */
function expected(query: string) {
  const client = init('sdk-node', { payload: PAYLOAD_TEXT, sendEvents: false });
  const params = new URLSearchParams(query);
  const context: Record<string, string | string[]> = { targetingKey: params.get('key')!, kind: params.get('kind') ?? 'user' };
  if (params.has('country')) context.country = params.get('country')!;
  if (params.has('groups')) context.groups = params.get('groups')!.split(',');
  const flags = new LaunchDarklyProvider(client).forContext(context);
  return {
    checkout: flags.getBooleanDetails('new-checkout', false),
    banner: flags.getStringDetails('banner-text', 'default banner'),
    uploadMb: flags.getNumberValue('max-upload-mb', 10),
  };
}

describe('ldedge/openfeature in workerd', () => {
  it('evaluates through OpenFeature as the provider does in Node', async () => {
    for (const query of ['key=alice', 'key=bob&country=de&groups=beta', 'key=carol&country=us', 'key=acme&kind=org']) {
      expect(await get(query)).toEqual(JSON.parse(JSON.stringify(expected(query))));
    }
    const alice = await get('key=alice');
    expect(alice.checkout).toMatchObject({ flagKey: 'new-checkout', value: true, variant: '0', reason: 'TARGET_MATCH' });
  });

  it('sends the tracked events after the response', async () => {
    await get('key=dave');
    await waitFor(
      () => mock.events.bulk.flat().some((e) => (e as { kind?: string; context?: { key?: string } }).kind === 'custom' && (e as { context: { key: string } }).context.key === 'dave'),
      'the custom event from workerd',
    );
    const custom = mock.events.bulk.flat().find((e) => (e as { context?: { key?: string } }).context?.key === 'dave' && (e as { kind: string }).kind === 'custom');
    expect(custom).toMatchObject({ key: 'example-page-view', metricValue: 1, data: { path: '/' } });
    expect(output).not.toMatch(/Uncaught|different request/);
  });
});
