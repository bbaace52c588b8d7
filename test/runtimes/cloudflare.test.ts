/**
 * The Cloudflare adapter inside workerd (through miniflare), without nodejs_compat: flags from a
 * seeded KV namespace and from one poll of a loopback LaunchDarkly, events after `waitUntil`,
 * one read per cache TTL, cold concurrent requests, and the `npm start` demo.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import type { LDContext } from '../../src/index.js';
import { sleep, startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAYLOAD_TEXT = readFileSync(join(ROOT, 'examples/flags.json'), 'utf8');
const PAYLOAD = JSON.parse(PAYLOAD_TEXT) as { flags: Record<string, Record<string, unknown>>; segments: object };
const CLIENT_SIDE_ID = 'cs-test';
const SDK_KEY = 'sdk-cloudflare-test';
const FLAGS = ['new-checkout', 'banner-text', 'max-upload-mb'];
const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'alice', name: 'Alice' },
  { kind: 'user', key: 'bob', country: 'de', groups: ['beta'] },
  { kind: 'user', key: 'carol', plan: 'free' },
  { kind: 'multi', user: { key: 'dave', plan: 'pro' }, org: { key: 'acme' } },
];
/** What workerd says when a request touches another request's I/O, or hangs on it. */
const CROSS_REQUEST = /different request|cross-request|I\/O object|hung|never generate a response|Uncaught/i;

/** Keeps workerd's warnings and errors, and whatever the Workers wrote to the console. */
class CapturingLog extends Log {
  readonly lines: string[] = [];
  constructor() {
    super(LogLevel.WARN);
  }
  protected override log(message: string): void {
    this.lines.push(message);
  }
}

let mock: MockLaunchDarkly;
let mf: Miniflare;
let bundleDir: string;
let bundleText: string;
const log = new CapturingLog();
let output = '';

/** What workerd and the Workers have written since `mark` (a previous `outputMark()`). */
const outputMark = () => ({ output: output.length, log: log.lines.length });
const outputSince = (mark: { output: number; log: number }) =>
  `${output.slice(mark.output)}\n${log.lines.slice(mark.log).join('\n')}`;

// miniflare's own types for these need @cloudflare/workers-types; these are the parts used here.
interface WorkerHandle {
  fetch(url: string): Promise<{ status: number; text(): Promise<string>; json(): Promise<unknown> }>;
}
interface KVHandle {
  put(key: string, value: string): Promise<void>;
}
const workerNamed = async (name: string) => (await mf.getWorker(name)) as unknown as WorkerHandle;
const kvOf = async (name: string) => (await mf.getKVNamespace('LD_KV', name)) as unknown as KVHandle;

interface EvalBody {
  details: Record<string, { value: unknown; variationIndex?: number; reason: Record<string, unknown> }>;
  allFlags: Record<string, unknown>;
  status: { source: string; loadedAt?: number; lastError?: string };
}

async function get(worker: string, path: string, context?: LDContext): Promise<{ status: number; body: EvalBody }> {
  const fetcher = await workerNamed(worker);
  const query = context === undefined ? '' : `?context=${encodeURIComponent(JSON.stringify(context))}`;
  const response = await fetcher.fetch(`https://worker.test${path}${query}`);
  const text = await response.text();
  return { status: response.status, body: response.status === 200 ? (JSON.parse(text) as EvalBody) : (text as never) };
}

async function kvReads(worker: string): Promise<number> {
  const response = await (await workerNamed(worker)).fetch('https://worker.test/__reads');
  return ((await response.json()) as { kvReads: number }).kvReads;
}

function customEvents(key?: string): Array<Record<string, unknown>> {
  return mock.events.bulk
    .flat()
    .map((e) => e as Record<string, unknown>)
    .filter((e) => e.kind === 'custom' && (key === undefined || (e.context as { key?: string } | undefined)?.key === key));
}

/** The same evaluations by the engine in Node, from the same payload. */
function expected(context: LDContext) {
  const client = init('sdk-node', { payload: PAYLOAD_TEXT, sendEvents: false });
  return {
    details: Object.fromEntries(FLAGS.map((key) => [key, client.variationDetail(key, context, null)])),
    allFlags: client.allFlagsState(context, { withReasons: true }).toJSON(),
  };
}

function worker(name: string, bindings: Record<string, unknown>, kv: boolean): WorkerOptions {
  return {
    name,
    modules: true,
    script: bundleText,
    compatibilityDate: '2026-04-01',
    // No compatibilityFlags: in particular no nodejs_compat.
    kvNamespaces: kv ? { LD_KV: `kv-${name}` } : [],
    bindings: {
      LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
      LD_SDK_KEY: SDK_KEY,
      MOCK_URI: mock.baseUri,
      MODE: kv ? 'kv' : 'poll',
      CACHE_TTL: 30,
      TIMEOUT: 5,
      ...bindings,
    },
  };
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly();
  mock.polling.setData(PAYLOAD);
  bundleDir = mkdtempSync(join(tmpdir(), 'ldedge-cf-'));
  await build({
    entryPoints: [join(ROOT, 'test/runtimes/fixtures-cloudflare/worker.ts')],
    outfile: join(bundleDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  bundleText = readFileSync(join(bundleDir, 'worker.js'), 'utf8');
  mf = new Miniflare({
    cf: false,
    log,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
      stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    },
    workers: [
      worker('kv', {}, true),
      worker('kv-ttl', { CACHE_TTL: 0.5 }, true),
      worker('kv-cold', {}, true),
      worker('kv-empty', {}, true),
      worker('poll', {}, false),
      worker('poll-cold', {}, false),
      worker('poll-slow', { TIMEOUT: 0.2 }, false),
      worker('poll-stale', { CACHE_TTL: 0.3 }, false),
    ],
  });
  // workerd's own output says why it did not start, if it did not.
  await mf.ready.catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  for (const name of ['kv', 'kv-ttl', 'kv-cold']) {
    await (await kvOf(name)).put(`LD-Env-${CLIENT_SIDE_ID}`, PAYLOAD_TEXT);
  }
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await mock?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe('the bundle', () => {
  it('imports nothing from node: and runs without nodejs_compat', async () => {
    expect(bundleText).not.toMatch(/["']node:/);
    expect(bundleText).not.toMatch(/\brequire\(/);
    // Without nodejs_compat workerd has no Node globals at all.
    const { status } = await get('kv', '/', CONTEXTS[0]);
    expect(status).toBe(200);
  });
});

describe('flags from KV', () => {
  it('evaluates as the engine does in Node', async () => {
    for (const context of CONTEXTS) {
      const { status, body } = await get('kv', '/', context);
      expect(status).toBe(200);
      const want = expected(context);
      expect(body.details).toEqual(JSON.parse(JSON.stringify(want.details)));
      expect(body.allFlags).toEqual(JSON.parse(JSON.stringify(want.allFlags)));
    }
    const alice = (await get('kv', '/', CONTEXTS[0])).body.details['new-checkout'];
    expect(alice).toMatchObject({ value: true, variationIndex: 0, reason: { kind: 'TARGET_MATCH' } });
    const carol = (await get('kv', '/', CONTEXTS[2])).body.details['max-upload-mb'];
    expect(carol).toMatchObject({ value: 500, reason: { kind: 'RULE_MATCH', ruleId: 'paid-plans' } });
  });

  it('reads KV once for all requests within the cache TTL', async () => {
    for (let i = 0; i < 5; i++) expect((await get('kv', '/', CONTEXTS[i % 4])).status).toBe(200);
    expect(await kvReads('kv')).toBe(1);
    expect((await get('kv', '/', CONTEXTS[0])).body.status).toMatchObject({ source: 'kv' });
  });

  it('reads again once the TTL has passed, and uses what it read', async () => {
    expect((await get('kv-ttl', '/', CONTEXTS[0])).body.details['new-checkout'].value).toBe(true);
    expect((await get('kv-ttl', '/', CONTEXTS[0])).body.details['new-checkout'].value).toBe(true);
    expect(await kvReads('kv-ttl')).toBe(1);
    const changed = structuredClone(PAYLOAD);
    changed.flags['new-checkout'] = { ...changed.flags['new-checkout'], on: false, version: 4 };
    await mf.ready.catch((err) => { throw new Error(`${err}\n${output}`); });
  await (await kvOf('kv-ttl')).put(`LD-Env-${CLIENT_SIDE_ID}`, JSON.stringify(changed));
    await sleep(700);
    const after = (await get('kv-ttl', '/', CONTEXTS[0])).body.details['new-checkout'];
    expect(after).toMatchObject({ value: false, reason: { kind: 'OFF' } });
    expect(await kvReads('kv-ttl')).toBe(2);
  });

  it('delivers events after the response, through waitUntil', async () => {
    await get('kv', '/', { kind: 'user', key: 'event-user', plan: 'pro' });
    await waitFor(() => customEvents('event-user').length === 1, 'the custom event from the Worker');
    const payload = mock.events.payloads.find((p) => JSON.stringify(p.json).includes('event-user'));
    expect(payload?.headers.authorization).toBe(SDK_KEY);
    expect(payload?.headers['x-launchdarkly-event-schema']).toBe('4');
    const events = payload?.json as Array<Record<string, unknown>>;
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['index', 'custom', 'summary']));
  });

  it('still flushes when the handler throws', async () => {
    // miniflare hands the Worker's uncaught error to the caller.
    await expect(get('kv', '/throw', { kind: 'user', key: 'thrower' })).rejects.toThrow('handler failed on purpose');
    await waitFor(() => customEvents('thrower').length === 1, 'the event recorded before the throw');
  });
  it('without the KV entry, evaluates to defaults, says why, and reads again on the next request', async () => {
    const mark = outputMark();
    const first = await get('kv-empty', '/', CONTEXTS[0]);
    expect(first.body.details['new-checkout']).toMatchObject({ value: null, reason: { errorKind: 'CLIENT_NOT_READY' } });
    expect(first.body.status.lastError).toMatch(`no entry "LD-Env-${CLIENT_SIDE_ID}"`);
    await waitFor(() => outputSince(mark).includes('flags could not be loaded'), 'the load error in the log');
    await (await kvOf('kv-empty')).put(`LD-Env-${CLIENT_SIDE_ID}`, PAYLOAD_TEXT);
    const second = await get('kv-empty', '/', CONTEXTS[0]);
    expect(second.body.details['new-checkout']).toMatchObject({ value: true, reason: { kind: 'TARGET_MATCH' } });
    expect(await kvReads('kv-empty')).toBe(2);
  });
});

describe('flags from one poll', () => {
  it('polls once across requests within the TTL and evaluates correctly', async () => {
    const before = mock.requestsTo('/sdk/latest-all').length;
    for (const context of CONTEXTS) {
      const { status, body } = await get('poll', '/', context);
      expect(status).toBe(200);
      expect(body.details).toEqual(JSON.parse(JSON.stringify(expected(context).details)));
    }
    const polls = mock.requestsTo('/sdk/latest-all').slice(before);
    expect(polls).toHaveLength(1);
    expect(polls[0].headers.authorization).toBe(SDK_KEY);
  });

  it('a load whose request stopped waiting completes under waitUntil and serves later requests', async () => {
    const before = mock.requestsTo('/sdk/latest-all').length;
    mock.polling.delayMs = 600;
    try {
      const first = await get('poll-slow', '/', CONTEXTS[0]);
      expect(first.body.details['new-checkout']).toMatchObject({
        value: null,
        reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' },
      });
      await sleep(900);
      const later = await get('poll-slow', '/', CONTEXTS[0]);
      expect(later.body.details['new-checkout']).toMatchObject({ value: true, reason: { kind: 'TARGET_MATCH' } });
      expect(mock.requestsTo('/sdk/latest-all').length - before).toBe(1);
    } finally {
      mock.polling.delayMs = 0;
    }
  });
  it('past the TTL, one request refreshes while the others evaluate the flags held', async () => {
    expect((await get('poll-stale', '/', CONTEXTS[0])).body.details['new-checkout'].value).toBe(true);
    const before = mock.requestsTo('/sdk/latest-all').length;
    const changed = structuredClone(PAYLOAD);
    changed.flags['new-checkout'] = { ...changed.flags['new-checkout'], on: false, version: 4 };
    await sleep(400);
    mock.polling.setData(changed);
    mock.polling.delayMs = 500;
    try {
      const finished: string[] = [];
      const refreshing = get('poll-stale', '/', CONTEXTS[0]).then((r) => (finished.push('refreshing'), r));
      await waitFor(() => mock.requestsTo('/sdk/latest-all').length > before, 'the refreshing poll');
      const meanwhile = await get('poll-stale', '/', CONTEXTS[0]).then((r) => (finished.push('meanwhile'), r));
      const refreshed = await refreshing;
      expect(finished).toEqual(['meanwhile', 'refreshing']);
      expect(meanwhile.body.details['new-checkout'].value).toBe(true);
      expect(refreshed.body.details['new-checkout']).toMatchObject({ value: false, reason: { kind: 'OFF' } });
      expect(mock.requestsTo('/sdk/latest-all').length - before).toBe(1);
    } finally {
      mock.polling.delayMs = 0;
      mock.polling.setData(PAYLOAD);
    }
  });
});

describe('concurrent requests on a cold isolate', () => {
  const member = (name: string, i: number): LDContext => ({
    kind: 'user',
    key: `${name}-${i}`,
    country: i % 2 ? 'de' : 'us',
    groups: ['beta'],
  });
  const burst = (name: string) => Promise.all(Array.from({ length: 20 }, (_, i) => get(name, '/', member(name, i))));

  it('all succeed from KV, with no cross-request I/O', async () => {
    const mark = outputMark();
    const results = await burst('kv-cold');
    for (const [i, { status, body }] of results.entries()) {
      expect(status).toBe(200);
      expect(body.details).toEqual(JSON.parse(JSON.stringify(expected(member('kv-cold', i)).details)));
    }
    // The others watched for the first request's read instead of reading themselves.
    expect(await kvReads('kv-cold')).toBe(1);
    await waitFor(() => customEvents().filter((e) => String((e.context as { key: string }).key).startsWith('kv-cold-')).length === 20, 'all 20 custom events');
    expect(outputSince(mark)).not.toMatch(CROSS_REQUEST);
    expect(outputSince(mark)).not.toMatch(/\[ldedge\] (warn|error)/);
  });

  it('all succeed from a slow poll, each waiting only on its own I/O', async () => {
    const mark = outputMark();
    const before = mock.requestsTo('/sdk/latest-all').length;
    mock.polling.delayMs = 150;
    try {
      const results = await burst('poll-cold');
      for (const { status, body } of results) {
        expect(status).toBe(200);
        expect(body.details['new-checkout']).toMatchObject({ value: true, reason: { kind: 'RULE_MATCH' } });
      }
    } finally {
      mock.polling.delayMs = 0;
    }
    await get('poll-cold', '/', CONTEXTS[0]);
    expect(mock.requestsTo('/sdk/latest-all').length - before).toBe(1);
    expect(outputSince(mark)).not.toMatch(CROSS_REQUEST);
    expect(outputSince(mark)).not.toMatch(/\[ldedge\] (warn|error)/);
  });
});

describe('npm start', () => {
  it('runs the example Worker in workerd and shows evaluations and delivered events', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'demo/start.mjs'), '--once'], {
      cwd: ROOT,
      timeout: 30_000,
    });
    expect(stdout).toMatch(/Worker listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/alice[\s\S]*new-checkout\s+= true/);
    expect(stdout).toMatch(/carol[\s\S]*max-upload-mb\s+= 500/);
    expect(stdout).toMatch(/events delivered to the sink: \d+ payloads?/);
    expect(stdout).toMatch(/custom\s+example-page-view/);
    expect(stdout).toMatch(/summary/);
  }, 40_000);
});
