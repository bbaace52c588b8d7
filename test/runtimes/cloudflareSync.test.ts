/**
 * ldedge/sync in workerd (through miniflare): the example Worker's `scheduled` handler, against a
 * loopback LaunchDarkly, writes the KV entry; a second Worker bound to the same namespace reads it
 * with ldedge/cloudflare and serves a changed value on its next refresh. An unchanged data set
 * costs a 304 and no KV write (writes counted at the binding).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SDK_KEY = 'sdk-cron-sync-test';
const CLIENT_SIDE_ID = 'cs-cron';

function dataSet(version: number, value: string) {
  return {
    flags: { banner: { key: 'banner', version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: 's' } },
    segments: {},
  };
}

interface Handle {
  fetch(url: string): Promise<{ json(): Promise<unknown> }>;
  scheduled(options: { cron: string }): Promise<{ outcome: string }>;
}

let mock: MockLaunchDarkly;
let mf: Miniflare;
let dir: string;
let output = '';

async function bundle(entry: string): Promise<string> {
  const outfile = join(dir, `${entry.replace(/\W/g, '_')}.js`);
  await build({ entryPoints: [join(ROOT, entry)], outfile, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent' });
  return readFileSync(outfile, 'utf8');
}

const worker = async (name: string) => (await mf.getWorker(name)) as unknown as Handle;

async function cron(): Promise<string> {
  return (await (await worker('sync')).scheduled({ cron: '* * * * *' })).outcome;
}

async function puts(): Promise<number> {
  return ((await (await worker('sync')).fetch('https://sync.test/')).json() as Promise<{ puts: number }>).then((b) => b.puts);
}

async function served(): Promise<unknown> {
  const response = await (await worker('reader')).fetch('https://reader.test/?flags=banner');
  return ((await response.json()) as { details: { banner: { value: unknown } } }).details.banner.value;
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  dir = mkdtempSync(join(tmpdir(), 'ldedge-cf-sync-'));
  const [syncScript, readerScript] = await Promise.all([
    bundle('test/runtimes/fixtures-cloudflare/sync-worker.ts'),
    bundle('test/runtimes/fixtures-cloudflare/worker.ts'),
  ]);
  expect(syncScript).not.toMatch(/["']node:/);
  mf = new Miniflare({
    cf: false,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
      stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    },
    workers: [
      {
        name: 'sync',
        modules: true,
        script: syncScript,
        compatibilityDate: '2026-04-01',
        kvNamespaces: { LD_KV: 'shared-flags' },
        bindings: { LD_SDK_KEY: SDK_KEY, LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID, LD_BASE_URI: mock.baseUri },
      },
      {
        name: 'sync-wrong-key',
        modules: true,
        script: syncScript,
        compatibilityDate: '2026-04-01',
        kvNamespaces: { LD_KV: 'other-flags' },
        bindings: { LD_SDK_KEY: 'sdk-revoked-12345', LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID, LD_BASE_URI: mock.baseUri },
      },
      {
        name: 'reader',
        modules: true,
        script: readerScript,
        compatibilityDate: '2026-04-01',
        kvNamespaces: { LD_KV: 'shared-flags' },
        // No SDK key: it reads KV only, and sends no events.
        bindings: { LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID, MOCK_URI: mock.baseUri, MODE: 'kv', CACHE_TTL: 0.5, TIMEOUT: 5 },
      },
    ],
  });
  await mf.ready.catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a Cron Trigger syncing LaunchDarkly into KV', () => {
  it('writes the entry that a reading Worker serves, refreshes it on change, and writes nothing when unchanged', async () => {
    mock.polling.setData(dataSet(1, 'first'));
    expect(await cron()).toBe('ok');
    expect(await puts()).toBe(2); // the entry and its version
    expect(await served()).toBe('first');

    // Unchanged: the stored version goes out as If-None-Match, LaunchDarkly answers 304.
    expect(await cron()).toBe('ok');
    expect(await cron()).toBe('ok');
    expect(await puts()).toBe(2);
    expect(mock.requestsTo('/sdk/latest-all').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', '"v1"']);

    mock.polling.setData(dataSet(2, 'second'));
    expect(await cron()).toBe('ok');
    expect(await puts()).toBe(4);
    // The reader holds "first" until its cache TTL (0.5 s) runs out, then reads KV again.
    await sleep(600);
    expect(await served()).toBe('second');
  });

  it('fails the run on a refused key, naming only its last four characters, and writes nothing', async () => {
    const state = async () => (await (await worker('sync-wrong-key')).fetch('https://sync.test/')).json() as Promise<{ puts: number; lastError?: string }>;
    expect((await (await worker('sync-wrong-key')).scheduled({ cron: '* * * * *' })).outcome).toBe('exception');
    const { puts: written, lastError } = await state();
    expect(lastError).toBe('LaunchDarkly refused the SDK key ending in "2345" (HTTP 401); check the key and its environment');
    expect(written).toBe(0);
  });
});
