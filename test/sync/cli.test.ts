/**
 * `ldedge sync`: its streaming relay keeps a real Redis (redis-server on loopback) current within
 * a second of a patch, a refused key ends it with one line, and command-line mistakes say what
 * was wrong. (Under Deno, with a Deno KV file: test/runtimes/denoSync.test.ts.)
 */
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init } from '../../src/index.js';
import { redisStore } from '../../stores/redis/index.js';
import { runCli, type CliHost } from '../../sync/cli.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const SDK_KEY = 'sdk-cli-relay-7777';

function flag(version: number, value: string) {
  return { key: 'banner', version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: 's' };
}

function host(args: string[], env: Record<string, string> = {}): CliHost & { lines: string[]; printed: string[]; stop(): void } {
  const lines: string[] = [];
  const printed: string[] = [];
  const controller = new AbortController();
  return {
    args,
    env: { LD_SDK_KEY: SDK_KEY, ...env },
    out: (line) => printed.push(line),
    error: (line) => lines.push(line),
    signal: controller.signal,
    lines,
    printed,
    stop: () => controller.abort(),
  };
}

let server: RedisServer;
let raw: ReturnType<typeof createClient>;
let ld: MockLaunchDarkly;

beforeAll(async () => {
  server = await startRedisServer();
  raw = createClient({ url: server.url });
  raw.on('error', () => undefined);
  await raw.connect();
}, 20_000);
afterAll(async () => {
  raw?.destroy();
  await server?.stop();
});
beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  await raw.flushAll();
});
afterEach(async () => {
  await ld.close();
});

describe('ldedge sync --stream --to redis://…', () => {
  it('writes the data set, then each patch within a second, for daemon-mode readers', async () => {
    ld.streams.setData({ flags: { banner: flag(1, 'one') }, segments: {} });
    const cli = host(['sync', '--to', server.url, '--prefix', 'env1', '--stream', '--stream-uri', ld.baseUri, '--log-level', 'warn']);
    const exit = runCli(cli);
    const stored = async () => {
      const text = await raw.hGet('env1:features', 'banner');
      return text ? (JSON.parse(text) as { version: number }).version : undefined;
    };
    try {
      const deadline = Date.now() + 5000;
      while ((await stored()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await stored()).toBe(1);
      expect(await raw.exists('env1:$inited')).toBe(1);

      const patched = performance.now();
      ld.streams.patch('flags', 'banner', flag(2, 'two'));
      while ((await stored()) !== 2 && performance.now() - patched < 3000) await new Promise((r) => setTimeout(r, 5));
      const elapsed = performance.now() - patched;
      expect(await stored()).toBe(2);
      expect(elapsed).toBeLessThan(1000);

      // What a reader in daemon mode evaluates from that Redis.
      const store = redisStore({ url: server.url, prefix: 'env1' });
      const reader = init('sdk-reader', { useLdd: true, featureStore: store, sendEvents: false });
      await reader.waitForInitialization();
      expect(reader.variation('banner', { kind: 'user', key: 'u' }, 'default')).toBe('two');
      await reader.close();
      await store.close();
    } finally {
      cli.stop();
    }
    expect(await exit).toBe(0);
    expect(cli.lines).toEqual([]);
  });

  it('stops on a refused key with exactly one line, naming only its last four characters', async () => {
    ld.streams.setData({ flags: { banner: flag(1, 'one') }, segments: {} });
    const cli = host(['sync', '--to', server.url, '--stream', '--stream-uri', ld.baseUri], { LD_SDK_KEY: 'sdk-private-middle-q9z1' });
    expect(await runCli(cli)).toBe(1);
    expect(cli.lines).toEqual(['ldedge sync: LaunchDarkly refused the SDK key ending in "q9z1" (HTTP 401); check the key and its environment']);
    expect(await raw.exists('launchdarkly:$inited')).toBe(0);
  });
});

describe('ldedge sync, once', () => {
  it('polls once into Redis and exits 0; the next run finds the data set in place', async () => {
    ld.polling.setData({ flags: { banner: flag(1, 'one') }, segments: {} });
    const args = ['sync', '--to', server.url, '--base-uri', ld.baseUri, '--log-level', 'warn'];
    expect(await runCli(host(args))).toBe(0);
    expect(JSON.parse((await raw.hGet('launchdarkly:features', 'banner'))!)).toEqual(flag(1, 'one'));
    await raw.hSet('launchdarkly:features', 'marker', JSON.stringify({ key: 'marker', version: 1 }));
    // Unchanged at LaunchDarkly, but the store differs (an extra item): it is rewritten.
    expect(await runCli(host(args))).toBe(0);
    expect(await raw.hExists('launchdarkly:features', 'marker')).toBe(0);
  });

  it('says in one line what is wrong with the command line', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['sync'], {}, /--to <target> is needed/],
      [['sync', '--to', 'memcached://x'], {}, /unknown target "memcached:\/\/x"/],
      [['sync', '--to', 'deno-kv'], {}, /--to deno-kv needs Deno/],
      [['sync', '--to', 'cloudflare-kv', '--account-id', 'a'], {}, /--namespace-id is needed/],
      [['sync', '--to', 'edge-config', '--edge-config-id', 'ecfg_x'], {}, /VERCEL_API_TOKEN is needed/],
      [['sync', '--to', server.url, '--interval', '1'], {}, /--interval must be a number of seconds, at least 5/],
      [['sync', '--to', server.url, '--sdk-key', 'x'], {}, /unknown option "--sdk-key"/],
      [['sync', '--to', server.url], { LD_SDK_KEY: '' }, /the SDK key in LD_SDK_KEY is needed/],
      [['push'], {}, /unknown command "push"/],
    ];
    for (const [args, env, message] of cases) {
      const cli = host(args, env);
      expect(await runCli(cli), args.join(' ')).toBe(2);
      expect(cli.lines).toHaveLength(1);
      expect(cli.lines[0]).toMatch(message);
    }
    const help = host(['sync', '--help']);
    expect(await runCli(help)).toBe(0);
    expect(help.printed[0]).toMatch(/^Usage: ldedge sync --to <target>/);
    expect(help.lines).toEqual([]);
  });
});
