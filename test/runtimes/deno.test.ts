/**
 * The Deno adapter and its example under the real `deno` binary: Deno KV in memory, Deno.serve on
 * a free loopback port, events to a loopback LaunchDarkly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { bundle, ROOT } from './fixtures-vercel-deno/bundle.js';

const PAYLOAD = readFileSync(`${ROOT}examples/flags.json`, 'utf8');

interface Stats {
  kvGets: string[];
  entries: string[];
  payloadBytes: number;
}

let mock: MockLaunchDarkly;
let deno: ChildProcess | undefined;
let dir: string;
let base: string;
let output = '';

async function get(path: string): Promise<{ body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, unknown>;
  return { body, ms: performance.now() - started };
}

const stats = async () => (await get('/stats')).body as unknown as Stats;

function bulkEvents(sdkKey: string): Array<Record<string, unknown>> {
  return mock.events.payloads
    .filter((p) => p.path === '/bulk' && p.headers.authorization === sdkKey)
    .flatMap((p) => p.json as Array<Record<string, unknown>>);
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly();
  mock.polling.setData(JSON.parse(PAYLOAD));
  const script = await bundle({
    entry: [
      "import { createHandler } from './examples/deno/main.ts';",
      "import { start } from './test/runtimes/fixtures-vercel-deno/deno-server.ts';",
      'await start(createHandler);',
    ].join('\n'),
    format: 'esm',
    define: { MOCK_URI: JSON.stringify(mock.baseUri), PAYLOAD: JSON.stringify(PAYLOAD), 'import.meta.main': 'false' },
  });
  // Outside the repository, so Deno finds no package.json or node_modules to resolve against.
  dir = mkdtempSync(join(tmpdir(), 'ldedge-deno-'));
  const file = join(dir, 'server.mjs');
  writeFileSync(file, script);

  const child = spawn(
    join(ROOT, 'node_modules/.bin/deno'),
    ['run', '--no-config', '--no-prompt', '--allow-net=127.0.0.1', '--unstable-kv', file],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
  );
  deno = child;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /listening on \d+/.test(output) || child.exitCode !== null, 'deno to listen', { timeoutMs: 15000 });
  const port = /listening on (\d+)/.exec(output)?.[1];
  if (port === undefined) throw new Error(`deno did not start:\n${output}`);
  base = `http://127.0.0.1:${port}`;
}, 30000);

afterAll(async () => {
  if (deno !== undefined && deno.exitCode === null) {
    const exited = new Promise((resolve) => deno!.once('exit', resolve));
    deno.kill('SIGKILL');
    await exited;
  }
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Deno adapter under deno', () => {
  it('evaluates flags from Deno KV, reading it once for several requests within the TTL', async () => {
    expect((await get('/plain?user=alice&country=de')).body).toEqual({
      newCheckout: true,
      banner: 'Kostenloser Versand',
      uploadLimitMb: 10,
    });
    expect((await get('/plain?user=carol')).body).toMatchObject({ uploadLimitMb: 500 });
    await get('/plain?user=dave');
    expect((await stats()).kvGets.filter((k) => k === 'ld/LD-Env-plain')).toHaveLength(1);
  });

  it('reads a payload over the 64 KiB value limit from chunks, the old chunks gone', async () => {
    expect((await get('/chunked?user=alice&country=de')).body).toEqual({
      newCheckout: true,
      banner: 'Kostenloser Versand',
      uploadLimitMb: 10,
    });
    await get('/chunked?user=bob');
    const { kvGets, entries, payloadBytes } = await stats();
    expect(payloadBytes).toBeGreaterThan(64 * 1024);
    expect(kvGets.filter((k) => k === 'ld/LD-Env-chunked')).toHaveLength(1);
    // The head, the plain entry, and the second write's chunks only.
    const chunks = entries.filter((e) => e.split('/').length === 4);
    expect(chunks.length).toBeGreaterThan(1);
    expect(new Set(chunks.map((e) => e.split('/')[2])).size).toBe(1);
    expect(entries).toContain('ld/LD-Env-chunked');
    expect(entries).toContain('ld/LD-Env-plain');
  });

  it('polls LaunchDarkly once for several requests within the TTL', async () => {
    for (const user of ['alice', 'bob', 'carol']) await get(`/poll?user=${user}`);
    const polls = mock.requestsTo('/sdk/latest-all');
    expect(polls).toHaveLength(1);
    expect(polls[0].headers.authorization).toBe('sdk-deno-poll');
    expect((await get('/poll?user=alice')).body).toMatchObject({ newCheckout: true });
  });

  it('delivers events after each response, without holding the response back', async () => {
    mock.events.delayMs = 2000;
    try {
      const before = bulkEvents('sdk-deno-plain').length;
      const { ms } = await get('/plain?user=zoe');
      expect(ms).toBeLessThan(2000);
      await waitFor(() => bulkEvents('sdk-deno-plain').length > before, 'the flush after the response');
      const events = bulkEvents('sdk-deno-plain');
      expect(events).toContainEqual(expect.objectContaining({ kind: 'custom', key: 'flags-viewed', context: expect.objectContaining({ key: 'zoe' }) }));
      expect(events).toContainEqual(expect.objectContaining({ kind: 'summary' }));
      expect(bulkEvents('sdk-deno-chunked').length).toBeGreaterThan(0);
      expect(bulkEvents('sdk-deno-poll').length).toBeGreaterThan(0);
    } finally {
      mock.events.delayMs = 0;
    }
  });
});
