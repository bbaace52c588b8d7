// HTTPS_PROXY / HTTP_PROXY / NO_PROXY in the other Node hosts, as in ldedge/node: a Lambda handler
// and `ldedge` as Node loads it (runtimes/node/core.ts, the package's `node` export condition),
// against a loopback LaunchDarkly behind a loopback forward proxy.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init as initCore, type LDClient } from '../../runtimes/node/core.js';
import { withLaunchDarkly } from '../../runtimes/lambda/index.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { startProxy, type LoopbackProxy } from '../helpers/proxyServer.js';
import { silentLoggerForTests } from '../helpers/sdk.js';

const SDK_KEY = 'sdk-proxy-hosts';
const user = { kind: 'user', key: 'ann' };
const FLAG = { key: 'new-checkout', version: 1, on: true, offVariation: 0, fallthrough: { variation: 1 }, variations: [false, true], salt: 's' };

let ld: MockLaunchDarkly;
let proxy: LoopbackProxy;
let clients: LDClient[];

beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  ld.polling.setData({ flags: { 'new-checkout': FLAG }, segments: {} });
  proxy = await startProxy();
  clients = [];
  vi.stubEnv('HTTPS_PROXY', '');
  vi.stubEnv('NO_PROXY', '');
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  vi.unstubAllEnvs();
  await proxy.close();
  await ld.close();
});

function lambdaContext() {
  const deadline = Date.now() + 3000;
  return { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/** A Lambda handler over the loopback LaunchDarkly, invoked once; the value it evaluated. */
async function invokeLambda(options: { proxy?: string | false } = {}): Promise<boolean> {
  const handler = withLaunchDarkly(
    { sdkKey: SDK_KEY, baseUri: ld.baseUri, eventsUri: ld.baseUri, logger: silentLoggerForTests, ...options },
    (_event: unknown, _context, client) => {
      clients.push(client);
      client.track('checkout', user);
      return client.boolVariation('new-checkout', user, false);
    },
  );
  return handler({}, lambdaContext());
}

describe('ldedge/lambda behind a web proxy', () => {
  it('sends the poll and the events through HTTP_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    expect(await invokeLambda()).toBe(true);
    expect(proxy.log).toEqual([`GET ${ld.baseUri}/sdk/latest-all`, `POST ${ld.baseUri}/bulk`]);
  });

  it('goes direct for a host in NO_PROXY, and with proxy: false', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    vi.stubEnv('NO_PROXY', '127.0.0.1');
    expect(await invokeLambda()).toBe(true);
    vi.stubEnv('NO_PROXY', '');
    expect(await invokeLambda({ proxy: false })).toBe(true);
    expect(proxy.log).toEqual([]);
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(2);
  });

  it('takes the proxy option over the environment', async () => {
    vi.stubEnv('HTTP_PROXY', 'http://127.0.0.1:1');
    expect(await invokeLambda({ proxy: proxy.uri })).toBe(true);
    expect(proxy.log).toContain(`GET ${ld.baseUri}/sdk/latest-all`);
  });
});

describe('ldedge under Node behind a web proxy', () => {
  it('sends the poll and the events through HTTP_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    const client = initCore(SDK_KEY, { baseUri: ld.baseUri, eventsUri: ld.baseUri, logger: silentLoggerForTests });
    clients.push(client);
    await client.waitForInitialization();
    expect(client.boolVariation('new-checkout', user, false)).toBe(true);
    await client.flush();
    expect(proxy.log).toEqual([`GET ${ld.baseUri}/sdk/latest-all`, `POST ${ld.baseUri}/bulk`]);
  });

  it('goes direct for a host in NO_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    vi.stubEnv('NO_PROXY', 'localhost,127.0.0.1');
    const client = initCore(SDK_KEY, { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests });
    clients.push(client);
    await client.waitForInitialization();
    expect(proxy.log).toEqual([]);
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
  });

  it('closing the client frees its proxy connections', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    const client = initCore(SDK_KEY, { baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests });
    await client.waitForInitialization();
    expect(proxy.openConnections()).toBeGreaterThan(0);
    await client.close();
    await vi.waitFor(() => expect(proxy.openConnections()).toBe(0));
  });
});
