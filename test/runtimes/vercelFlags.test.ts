/**
 * ldedge/vercel-flags with Vercel's Flags SDK inside edge-runtime: the example Edge Function's
 * flags decided as the engine decides them, Edge Config read once per request however many flags
 * it decides, precomputed codes read back without evaluating, Flags Explorer's override cookie,
 * and events sent through Vercel's request context's `waitUntil`, once per request.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { encryptOverrides } from 'flags';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { ROOT } from './fixtures-vercel-deno/bundle.js';

const PAYLOAD_TEXT = readFileSync(`${ROOT}examples/flags.json`, 'utf8');
const SDK_KEY = 'sdk-vercel-flags';
const CLIENT_SIDE_ID = 'cs-vercel-flags';
const FLAGS_SECRET = randomBytes(32).toString('base64url');
const HERE = `${ROOT}test/runtimes/fixtures-vercel-flags/`;

/** The example's imports resolved to this repository's sources and the test's stand-ins. */
const standIns: Plugin = {
  name: 'vercel-flags-stand-ins',
  setup(b) {
    const to = (filter: RegExp, path: string) => b.onResolve({ filter }, () => ({ path }));
    to(/^ldedge\/vercel$/, `${ROOT}runtimes/vercel/index.ts`);
    to(/^ldedge\/vercel-flags$/, `${ROOT}adapters/vercel-flags/index.ts`);
    to(/^@vercel\/edge-config$/, `${ROOT}test/runtimes/fixtures-vercel-deno/edge-config.ts`);
    to(/^(node:)?async_hooks$/, `${HERE}async-hooks.ts`);
    to(/^next\/headers$/, `${HERE}next-headers.ts`);
  },
};

interface Stats {
  waitUntilCalls: number;
  settled: number;
  edgeConfig: { reads: number };
}
interface Flags {
  newCheckout: boolean;
  banner: string;
  uploadLimitMb: number;
}

let mock: MockLaunchDarkly;
let runtime: EdgeRuntime;
let script: string;

const stats = (): Stats => JSON.parse(runtime.evaluate('JSON.stringify(globalThis.__stats)')) as Stats;

async function get(path: string, cookie?: string, country?: string) {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (country) headers['x-vercel-ip-country'] = country;
  const response = await runtime.dispatchFetch(`https://app.example${path}`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text}`);
  return { response, body: JSON.parse(text) as Flags & { code?: string } };
}

/** The engine's answer in Node for the context the example's identify makes. */
function expected(key: string, country?: string): Flags {
  const client = init('sdk-node', { payload: PAYLOAD_TEXT, sendEvents: false });
  const context = { kind: 'user', key, ...(country ? { country: country.toLowerCase() } : {}) };
  return {
    newCheckout: client.boolVariation('new-checkout', context, false),
    banner: client.stringVariation('banner-text', context, 'Welcome'),
    uploadLimitMb: client.numberVariation('max-upload-mb', context, 10),
  };
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly();
  const result = await build({
    stdin: {
      contents: [
        "import './test/runtimes/fixtures-vercel-deno/vercel-fetch.ts';",
        "import handler from './examples/vercel-flags/api/flags.ts';",
        "import { pageFlags } from './examples/vercel-flags/flags.ts';",
        "import { start } from './test/runtimes/fixtures-vercel-flags/worker.ts';",
        'start(handler, pageFlags);',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'entry.ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    define: {
      MOCK_URI: JSON.stringify(mock.baseUri),
      EDGE_CONFIG_ITEMS: JSON.stringify(JSON.stringify({ [`LD-Env-${CLIENT_SIDE_ID}`]: JSON.parse(PAYLOAD_TEXT) })),
    },
    plugins: [standIns],
    ignoreAnnotations: true,
    logLevel: 'silent',
  });
  script = result.outputFiles[0].text;
  runtime = new EdgeRuntime({
    extend: (context) => {
      // Vercel's edge runtime has process.env, and nothing else of process.
      Object.assign(context, {
        process: {
          env: {
            FLAGS_SECRET,
            NODE_ENV: 'production',
            LD_SDK_KEY: SDK_KEY,
            LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
            EDGE_CONFIG: 'https://edge-config.vercel.com/ecfg_test?token=test',
            // Every request past its first flag would read Edge Config again if the adapter let it.
            LD_CACHE_TTL: '0',
          },
        },
      });
      return context;
    },
  });
  runtime.evaluate(script);
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

describe('ldedge/vercel-flags in edge-runtime', () => {
  it('decides each flag as the engine does, for the context identify makes', async () => {
    for (const [user, country] of [['alice', undefined], ['bob', 'DE'], ['carol', undefined]] as const) {
      const { body } = await get('/api/flags', `uid=${user}`, country);
      expect(body).toEqual(expected(user, country));
    }
    expect((await get('/api/flags')).body).toEqual({ newCheckout: false, banner: expect.any(String), uploadLimitMb: 10 });
  });

  it('reads Edge Config once per request, deciding flags one by one, in a batch, or as server code', async () => {
    for (const path of ['/api/flags', '/api/flags?all=1', '/server']) {
      const before = stats().edgeConfig.reads;
      const { body } = await get(path, 'uid=bob', 'DE');
      expect(body).toEqual(expected('bob', 'DE'));
      expect(stats().edgeConfig.reads - before, path).toBe(1);
    }
  });

  it('precomputes a signed code and reads the flags back from it without deciding them', async () => {
    const { body } = await get('/api/flags?precompute=1', 'uid=carol');
    expect(body.code).toEqual(expect.any(String));
    const before = stats();
    const decoded = await get(`/api/flags?code=${encodeURIComponent(body.code!)}`, 'uid=someone-else');
    expect(decoded.body).toEqual(expected('carol'));
    expect(stats().edgeConfig.reads).toBe(before.edgeConfig.reads);
    expect(stats().waitUntilCalls).toBe(before.waitUntilCalls);
    // A code that was not signed with FLAGS_SECRET is refused.
    const forged = await runtime.dispatchFetch(`https://app.example/api/flags?code=${encodeURIComponent(`${body.code!.slice(0, -2)}xx`)}`);
    expect(forged.status).toBe(500);
  });

  it("takes Flags Explorer's override cookie over LaunchDarkly's answer", async () => {
    const overrides = await encryptOverrides({ 'new-checkout': true, 'max-upload-mb': 100 }, FLAGS_SECRET);
    const want = expected('alice');
    expect(want.newCheckout).toBe(true);
    const { body } = await get('/api/flags', `uid=carol; vercel-flag-overrides=${overrides}`);
    expect(body).toEqual({ ...expected('carol'), newCheckout: true, uploadLimitMb: 100 });
    expect(expected('carol')).not.toMatchObject({ newCheckout: true, uploadLimitMb: 100 });
  });

  it("flushes a request's events once, through the request context's waitUntil", async () => {
    const before = stats();
    const { response } = await get('/api/flags', 'uid=erin');
    expect(stats().waitUntilCalls).toBe(before.waitUntilCalls + 1);
    await response.waitUntil();
    expect(stats().settled).toBe(before.settled + 1);
    await waitFor(() => mock.events.bulk.flat().some((e) => (e as { context?: { key?: string } }).context?.key === 'erin'), 'the events of erin');
    const sent = mock.events.payloads.filter((p) => p.headers.authorization === SDK_KEY).flatMap((p) => p.json as Array<Record<string, unknown>>);
    const summary = sent.filter((e) => e.kind === 'summary').at(-1) as { features: Record<string, unknown> };
    expect(Object.keys(summary.features).sort()).toEqual(['banner-text', 'max-upload-mb', 'new-checkout']);
  });
});
