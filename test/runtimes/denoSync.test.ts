/**
 * `ldedge sync` under the real `deno` binary, into a Deno KV file: run once it writes the entry
 * (in chunks past Deno KV's value limit) and a second run writes nothing; as a streaming relay it
 * has a patch in the file, as a separate Deno process reading it with ldedge/deno sees, within a
 * second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { ROOT } from './fixtures-vercel-deno/bundle.js';

const SDK_KEY = 'sdk-deno-sync-test';
const KEY = 'LD-Env-cs-deno';

function flag(key: string, version: number, value: string) {
  return { key, version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: 's' };
}

let mock: MockLaunchDarkly;
let dir: string;
const children: ChildProcess[] = [];

// The examples import `npm:ldedge/sync`: here, this repository's.
const resolveSync: Plugin = {
  name: 'ldedge-sync',
  setup(b) {
    b.onResolve({ filter: /^npm:ldedge\/sync$/ }, () => ({ path: join(ROOT, 'sync/index.ts') }));
  },
};

async function bundleFile(entry: string, out: string): Promise<string> {
  const file = join(dir, out);
  await build({ entryPoints: [join(ROOT, entry)], outfile: file, bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], target: 'es2022', plugins: [resolveSync], logLevel: 'silent' });
  return file;
}

interface Run {
  child: ChildProcess;
  lines: string[];
  output(): string;
  exit: Promise<number | null>;
}

function deno(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-config', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env', `--allow-read=${dir}`, `--allow-write=${dir}`, '--unstable-kv', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...env },
  });
  children.push(child);
  let out = '';
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    lines.push(...chunk.toString().split('\n').filter(Boolean));
  });
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, output: () => out, exit };
}

let cli: string;
let watcher: string;
let cronExample: string;

beforeAll(async () => {
  mock = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  dir = mkdtempSync(join(tmpdir(), 'ldedge-deno-sync-'));
  cli = await bundleFile('bin/ldedge.ts', 'ldedge.mjs');
  watcher = await bundleFile('test/runtimes/fixtures-vercel-deno/deno-kv-watch.ts', 'watch.mjs');
  cronExample = await bundleFile('examples/deno/sync.ts', 'cron.mjs');
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = { LD_SDK_KEY: SDK_KEY, LD_CLIENT_SIDE_ID: 'cs-deno' };

describe('ldedge sync --to deno-kv under deno', () => {
  it('runs once into a Deno KV file, in chunks when large; an unchanged set is not written again', async () => {
    const flags: Record<string, unknown> = { banner: flag('banner', 1, 'big') };
    for (let i = 0; i < 800; i++) flags[`filler-${i}`] = flag(`filler-${i}`, 1, 'x'.repeat(100));
    mock.polling.setData({ flags, segments: {} });
    const file = join(dir, 'once.db');
    const first = deno([cli, 'sync', '--to', `deno-kv:${file}`, '--base-uri', mock.baseUri, '--log-level', 'warn'], env);
    expect(await first.exit, first.output()).toBe(0);
    const second = deno([cli, 'sync', '--to', `deno-kv:${file}`, '--base-uri', mock.baseUri, '--log-level', 'debug'], env);
    expect(await second.exit, second.output()).toBe(0);
    expect(second.output()).toContain('not written');
    expect(mock.requestsTo('/sdk/latest-all').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);

    const watch = deno([watcher, file, KEY]);
    try {
      await waitFor(() => watch.lines.length >= 2, 'the watcher to read the entry', { timeoutMs: 15_000 });
      const seen = JSON.parse(watch.lines[1]) as { value: string; bytes: number; stored: string };
      expect(seen).toMatchObject({ value: 'big', stored: '"v1"' });
      expect(seen.bytes).toBeGreaterThan(64 * 1024);
    } finally {
      watch.child.kill('SIGKILL');
    }
  }, 40_000);

  it('relays a streamed patch into the file within a second, as a Deno reader sees it', async () => {
    mock.streams.setData({ flags: { banner: flag('banner', 1, 'one') }, segments: {} });
    const file = join(dir, 'relay.db');
    const relay = deno([cli, 'sync', '--to', `deno-kv:${file}`, '--stream', '--stream-uri', mock.baseUri], env);
    const watch = deno([watcher, file, KEY]);
    try {
      await waitFor(() => watch.lines.some((l) => l.includes('"one"')), 'the first data set in Deno KV', { timeoutMs: 15_000 });
      const patched = performance.now();
      expect(mock.streams.patch('flags', 'banner', flag('banner', 2, 'two'))).toBe(1);
      await waitFor(() => watch.lines.some((l) => l.includes('"two"')), 'the patch in Deno KV', { timeoutMs: 3000 });
      const elapsed = performance.now() - patched;
      expect(elapsed, relay.output()).toBeLessThan(1000);
      // The entry's version follows it (written just after), for readers that check it first.
      const seen = () => watch.lines.slice(1).map((l) => JSON.parse(l) as { value: string; stored: string });
      const first = seen()[0].stored;
      await waitFor(() => seen().some((s) => s.value === 'two' && s.stored !== first), 'the new version beside the entry', { timeoutMs: 3000 });
      expect(seen().at(-1)!.stored).toMatch(/^sha256-/);
    } finally {
      watch.child.kill('SIGKILL');
      relay.child.kill('SIGTERM');
    }
    expect(await relay.exit, relay.output()).toBe(0);
    expect(relay.output()).toContain('relaying flag changes to deno-kv');
  }, 40_000);

  it('the Deno.cron example syncs at start and registers its cron job', async () => {
    mock.polling.setData({ flags: { banner: flag('banner', 7, 'from-cron-example') }, segments: {} });
    const file = join(dir, 'cron.db');
    const example = deno(['--unstable-cron', cronExample], { ...env, LD_BASE_URI: mock.baseUri, LD_DENO_KV_PATH: file });
    const watch = deno([watcher, file, KEY]);
    try {
      await waitFor(() => watch.lines.some((l) => l.includes('from-cron-example')), 'the example to write Deno KV', { timeoutMs: 15_000 });
      // Still running: the cron job keeps the process alive for its next run.
      expect(example.child.exitCode, example.output()).toBeNull();
    } finally {
      watch.child.kill('SIGKILL');
      example.child.kill('SIGKILL');
    }
  }, 40_000);
});
