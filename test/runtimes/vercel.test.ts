/**
 * The Vercel adapter and its Edge Function example, run inside edge-runtime (the runtime Vercel's
 * Edge Functions and middleware use locally): flags from a stand-in Edge Config and from one poll
 * of a loopback LaunchDarkly, events through `waitUntil` or an awaited flush, and no Node API.
 */
import { readFileSync } from 'node:fs';
import { EdgeRuntime } from 'edge-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { bundle, ROOT } from './fixtures-vercel-deno/bundle.js';

const PAYLOAD = JSON.parse(readFileSync(`${ROOT}examples/flags.json`, 'utf8')) as { flags: object; segments: object };
const SDK_KEY = 'sdk-vercel-example';
const CLIENT_SIDE_ID = 'client-side-id';
/** Globals Node has and edge runtimes do not; touching any of them in the VM fails the test. */
const NODE_ONLY = ['process', 'Buffer', 'require', 'module', 'global', 'setImmediate', '__dirname'];

interface Stats {
  waitUntilCalls: number;
  settled: number;
  edgeConfig: { reads: number; keys: string[] };
}

let mock: MockLaunchDarkly;
let runtime: EdgeRuntime;
let script: string;
const touched: string[] = [];

const stats = (): Stats => JSON.parse(runtime.evaluate('JSON.stringify(globalThis.__stats)')) as Stats;

async function get(path: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await runtime.dispatchFetch(`https://app.example${path}`, { headers });
  const body = (await response.json()) as Record<string, unknown>;
  return { response, body, ms: performance.now() - started };
}

function bulkEvents(sdkKey: string): Array<Record<string, unknown>> {
  return mock.events.payloads
    .filter((p) => p.path === '/bulk' && p.headers.authorization === sdkKey)
    .flatMap((p) => p.json as Array<Record<string, unknown>>);
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly();
  mock.polling.setData(PAYLOAD);
  script = await bundle({
    entry: [
      "import './test/runtimes/fixtures-vercel-deno/vercel-fetch.ts';",
      "import edgeFunction from './examples/vercel/api/flags.ts';",
      "import { start } from './test/runtimes/fixtures-vercel-deno/vercel-worker.ts';",
      'start(edgeFunction);',
    ].join('\n'),
    format: 'iife',
    define: {
      MOCK_URI: JSON.stringify(mock.baseUri),
      EDGE_CONFIG_ITEMS: JSON.stringify(JSON.stringify({ [`LD-Env-${CLIENT_SIDE_ID}`]: PAYLOAD })),
      // Vercel inlines environment variables at build time, as these do.
      'process.env.LD_SDK_KEY': JSON.stringify(SDK_KEY),
      'process.env.LD_CLIENT_SIDE_ID': JSON.stringify(CLIENT_SIDE_ID),
      'process.env.EDGE_CONFIG': JSON.stringify('https://edge-config.vercel.com/ecfg_test?token=test'),
    },
  });
  runtime = new EdgeRuntime({
    extend: (context) => {
      for (const name of NODE_ONLY) {
        Object.defineProperty(context, name, {
          configurable: true,
          get: () => void touched.push(name),
        });
      }
      return context;
    },
  });
  runtime.evaluate(script);
});

afterAll(async () => {
  await mock?.close();
});

describe('the Vercel adapter in edge-runtime', () => {
  it('has no Node import or require in its bundle', () => {
    expect(script).not.toMatch(/["']node:/);
    expect(script).not.toMatch(/\brequire\(/);
  });

  it('evaluates flags from Edge Config, reading it once for several requests within the TTL', async () => {
    const alice = await get('/api/flags?user=alice&via=context', { 'x-vercel-ip-country': 'DE' });
    expect(alice.response.status).toBe(200);
    expect(alice.body).toEqual({ newCheckout: true, banner: 'Kostenloser Versand', uploadLimitMb: 10 });

    const carol = await get('/api/flags?user=carol&via=context');
    expect(carol.body).toMatchObject({ uploadLimitMb: 500 });
    const dave = await get('/api/flags?user=dave&via=context');

    expect(stats().edgeConfig).toEqual({ reads: 1, keys: [`LD-Env-${CLIENT_SIDE_ID}`] });
    expect(mock.requestsTo('/sdk/latest-all')).toHaveLength(0);
    await Promise.all([alice, carol, dave].map((r) => r.response.waitUntil()));
  });

  it("hands the flush to the Edge Function context's waitUntil, not holding the response", async () => {
    mock.events.delayMs = 1500;
    try {
      const before = stats();
      const { response, ms } = await get('/api/flags?user=erin&via=context');
      const after = stats();
      expect(after.waitUntilCalls).toBe(before.waitUntilCalls + 1);
      // The events endpoint has not answered yet, and the response is already here.
      expect(after.settled).toBe(before.settled);
      expect(ms).toBeLessThan(1500);

      await response.waitUntil();
      expect(stats().settled).toBe(before.settled + 1);
      const events = bulkEvents(SDK_KEY);
      expect(events).toContainEqual(expect.objectContaining({ kind: 'index', context: expect.objectContaining({ key: 'erin' }) }));
      const summary = events.find((e) => e.kind === 'summary') as { features: Record<string, unknown> };
      expect(Object.keys(summary.features)).toEqual(expect.arrayContaining(['new-checkout', 'banner-text', 'max-upload-mb']));
    } finally {
      mock.events.delayMs = 0;
    }
  });

  it("uses the waitUntil of Vercel's request context when no context is passed", async () => {
    const before = stats();
    const payloadsBefore = mock.events.payloads.length;
    const { response, body } = await get('/api/flags?user=frank&via=request-context');
    expect(body).toMatchObject({ uploadLimitMb: 10 });
    expect(stats().waitUntilCalls).toBe(before.waitUntilCalls + 1);

    await response.waitUntil();
    expect(stats().settled).toBe(before.settled + 1);
    const sent = mock.events.payloads.slice(payloadsBefore).flatMap((p) => p.json as Array<Record<string, unknown>>);
    expect(sent).toContainEqual(expect.objectContaining({ kind: 'index', context: expect.objectContaining({ key: 'frank' }) }));
  });

  it('awaits the flush before responding when there is no waitUntil at all', async () => {
    mock.events.delayMs = 300;
    try {
      const before = stats();
      const payloadsBefore = mock.events.payloads.length;
      const { ms } = await get('/api/flags?user=grace&via=none');
      expect(stats().waitUntilCalls).toBe(before.waitUntilCalls);
      // The events arrived, and were answered, before the response did.
      expect(mock.events.payloads.length).toBe(payloadsBefore + 1);
      expect(ms).toBeGreaterThanOrEqual(290);
    } finally {
      mock.events.delayMs = 0;
    }
  });

  it('polls LaunchDarkly once for several requests within the TTL, then revalidates with the ETag', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      const { body } = await get(`/poll?user=${user}&via=context`);
      if (user === 'alice') expect(body).toEqual({ newCheckout: true });
    }
    const polls = mock.requestsTo('/sdk/latest-all');
    expect(polls).toHaveLength(1);
    expect(polls[0].headers.authorization).toBe('sdk-vercel-poll');

    await sleep(1100); // the poll client's cacheTtl is 1 s
    await get('/poll?user=alice&via=context');
    expect(mock.requestsTo('/sdk/latest-all')).toHaveLength(2);
    expect(mock.requestsTo('/sdk/latest-all')[1].headers['if-none-match']).toBe('"v1"');

    await waitFor(() => bulkEvents('sdk-vercel-poll').length > 0, 'events from the polling client');
  });

  it('never touched a Node-only global', () => {
    expect(touched).toEqual([]);
    // The traps do fire when something reaches for one.
    runtime.evaluate('void globalThis.Buffer');
    expect(touched).toEqual(['Buffer']);
  });
});
