/**
 * The REST targets of ldedge/sync against loopback servers that answer as Cloudflare's Workers KV
 * API and Vercel's Edge Config API are documented to: what is written is readable by ldedge's
 * readers, an unchanged set writes nothing, and a failed write keeps the previous entry.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { init as initVercel } from '../../../runtimes/vercel/index.js';
import { init } from '../../../src/index.js';
import { cloudflareKvApi, createSync, vercelEdgeConfig, versionKey, type SyncTarget } from '../../../sync/index.js';
import { recordingLogger } from '../../helpers/logger.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../../helpers/mockLaunchDarkly.js';
import { startCloudflareApi, startVercelApi, type CloudflareApiServer, type VercelApiServer } from '../../helpers/restStores.js';

const SDK_KEY = 'sdk-rest-test';
const KEY = 'LD-Env-cs-rest';

function dataSet(version: number, value: unknown) {
  return {
    flags: { banner: { key: 'banner', version, on: false, offVariation: 0, variations: [value], fallthrough: { variation: 0 }, salt: 's' } },
    segments: {},
  };
}

const user = { kind: 'user', key: 'u' };

let ld: MockLaunchDarkly;
beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
});
afterEach(async () => {
  await ld.close();
});

function syncTo(target: SyncTarget) {
  return createSync({ sdkKey: SDK_KEY, clientSideId: 'cs-rest', baseUri: ld.baseUri, target, logger: recordingLogger() });
}

describe('cloudflareKvApi', () => {
  let cf: CloudflareApiServer;
  beforeEach(async () => {
    cf = await startCloudflareApi('acc123', 'ns456', 'cf-token');
  });
  afterEach(async () => {
    await cf.close();
  });
  const target = (apiToken = 'cf-token') =>
    cloudflareKvApi({ accountId: 'acc123', namespaceId: 'ns456', apiToken, apiUri: `${cf.uri}/client/v4` });

  /** The engine reading the entry as the Cloudflare adapter does: the KV value, as text. */
  async function served(): Promise<unknown> {
    const client = init('sdk-reader', {
      sendEvents: false,
      clientSideId: 'cs-rest',
      kvStore: { get: async (key: string) => (await fetch(`${cf.uri}/client/v4/accounts/acc123/storage/kv/namespaces/ns456/values/${key}`, { headers: { Authorization: 'Bearer cf-token' } })).text() },
    });
    await client.waitForInitialization();
    return client.variation('banner', user, 'default');
  }

  it('writes the entry and its version, and nothing while the data set is unchanged', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    expect(await syncTo(target()).run()).toEqual({ written: true, version: '"v1"' });
    expect(cf.writes).toBe(2);
    expect(cf.values.get(versionKey(KEY))).toBe('"v1"');
    expect(await served()).toBe('one');
    // A new run reads the version through the API and LaunchDarkly answers 304.
    expect((await syncTo(target()).run()).written).toBe(false);
    expect(cf.writes).toBe(2);
    expect(ld.requestsTo('/sdk/latest-all')[1].headers['if-none-match']).toBe('"v1"');
    ld.polling.setData(dataSet(2, 'two'));
    expect((await syncTo(target()).run()).written).toBe(true);
    expect(await served()).toBe('two');
  });

  it('keeps the previous entry when the API fails a write, and writes on the next run', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    await syncTo(target()).run();
    ld.polling.setData(dataSet(2, 'two'));
    cf.failWrites = 1;
    await expect(syncTo(target()).run()).rejects.toThrow(/Cloudflare KV write of "LD-Env-cs-rest" failed with HTTP 500: service temporarily unavailable/);
    expect(await served()).toBe('one');
    expect(cf.values.get(versionKey(KEY))).toBe('"v1"');
    expect((await syncTo(target()).run()).written).toBe(true);
    expect(await served()).toBe('two');
  });

  it('says which token is refused without showing it', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    const failure = (await syncTo(target('wrong-token')).run().catch((e: unknown) => e)) as Error;
    expect(failure.message).toMatch(/HTTP 403: Authentication error \(check the API token and its permissions\)/);
    expect(failure.message).not.toContain('wrong-token');
    expect(() => cloudflareKvApi({ accountId: '', namespaceId: 'n', apiToken: 't' })).toThrow(/"accountId"/);
  });
});

describe('vercelEdgeConfig', () => {
  let vc: VercelApiServer;
  beforeEach(async () => {
    vc = await startVercelApi('ecfg_abc', 'team_1', 'vc-token');
  });
  afterEach(async () => {
    await vc.close();
  });
  const target = () => vercelEdgeConfig({ edgeConfigId: 'ecfg_abc', teamId: 'team_1', apiToken: 'vc-token', apiUri: vc.uri });

  /** ldedge/vercel reading the item, as an Edge Config client returns it: the JSON value. */
  async function served(): Promise<unknown> {
    const client = initVercel('sdk-reader', {
      sendEvents: false,
      clientSideId: 'cs-rest',
      edgeConfig: { get: async (key: string) => vc.items.get(key)?.value },
    });
    await client.waitForInitialization();
    return client.variation('banner', user, 'default');
  }

  it('upserts the entry and its version in one request, and nothing while unchanged', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    expect((await syncTo(target()).run()).written).toBe(true);
    expect(vc.writes).toBe(1);
    expect(vc.items.get(KEY)!.value).toEqual(dataSet(1, 'one'));
    expect(vc.items.get(versionKey(KEY))!.value).toBe('"v1"');
    expect(await served()).toBe('one');
    expect((await syncTo(target()).run()).written).toBe(false);
    expect(vc.writes).toBe(1);
    expect(vc.requests).toContain('GET /v1/edge-config/ecfg_abc/item/LD-Env-cs-rest-version?teamId=team_1');
    ld.polling.setData(dataSet(2, 'two'));
    expect((await syncTo(target()).run()).written).toBe(true);
    expect(await served()).toBe('two');
  });

  it('keeps the previous items when a write fails, and writes on the next run', async () => {
    ld.polling.setData(dataSet(1, 'one'));
    await syncTo(target()).run();
    ld.polling.setData(dataSet(2, 'two'));
    vc.failWrites = 1;
    await expect(syncTo(target()).run()).rejects.toThrow(/Edge Config write of "LD-Env-cs-rest" failed with HTTP 500: An unexpected error occurred/);
    expect(await served()).toBe('one');
    expect(vc.items.get(versionKey(KEY))!.value).toBe('"v1"');
    expect((await syncTo(target()).run()).written).toBe(true);
    expect(await served()).toBe('two');
  });

  it('refuses options and keys Edge Config cannot take', async () => {
    expect(() => vercelEdgeConfig({ edgeConfigId: 'abc', apiToken: 't' })).toThrow(/"edgeConfigId" \("ecfg_…"\)/);
    ld.polling.setData(dataSet(1, 'one'));
    const sync = createSync({ sdkKey: SDK_KEY, key: 'flags.json', baseUri: ld.baseUri, target: target(), logger: recordingLogger() });
    await expect(sync.run()).rejects.toThrow(/"flags.json" is not one/);
    expect(vc.writes).toBe(0);
  });
});
