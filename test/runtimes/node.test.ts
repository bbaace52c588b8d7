// The Node adapter against the loopback LaunchDarkly mock: streaming and periodic flush by
// default, a clean close, and web proxies from the environment or the `proxy` option.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bypassesProxy, init, type LDClient, type NodeOptions } from '../../runtimes/node/index.js';
import { startProxy, type LoopbackProxy } from '../helpers/proxyServer.js';
import { silentLoggerForTests } from '../helpers/sdk.js';
import { sleep, startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const SDK_KEY = 'sdk-node-test';
const user = { kind: 'user', key: 'ann' };

function flag(version: number, on: boolean) {
  return {
    key: 'new-checkout',
    version,
    on,
    offVariation: 0,
    fallthrough: { variation: 1 },
    variations: [false, true],
    salt: 'salt',
  };
}

let ld: MockLaunchDarkly;
let clients: LDClient[];

beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  const data = { flags: { 'new-checkout': flag(1, true) }, segments: {} };
  ld.polling.setData(data);
  ld.streams.setData(data);
  clients = [];
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(clients.map((c) => c.close()));
  await ld.close();
});

function client(options: NodeOptions = {}, base = ld.baseUri): LDClient {
  const c = init(SDK_KEY, {
    baseUri: base,
    streamUri: base,
    eventsUri: base,
    logger: silentLoggerForTests,
    ...options,
  });
  clients.push(c);
  return c;
}

/** Resources that keep the loop alive, less the mock's own server-side sockets (see lambda.test.ts). */
async function resourceTracker() {
  await sleep(150); // vitest's throttled task-update timer, and earlier tests' closing sockets
  const serverSockets = new Set<Socket>();
  const onServerSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    serverSockets.add(socket);
    socket.once('close', () => serverSockets.delete(socket));
  };
  subscribe('net.server.socket', onServerSocket);
  const count = (type: string) => process.getActiveResourcesInfo().filter((r) => r === type).length;
  const baseline = { timers: count('Timeout'), sockets: count('TCPSocketWrap') };
  return {
    extra: async () => {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      return {
        timers: count('Timeout') - baseline.timers,
        sockets: count('TCPSocketWrap') - serverSockets.size - baseline.sockets,
      };
    },
    stop: () => unsubscribe('net.server.socket', onServerSocket),
  };
}

describe('node adapter defaults', () => {
  it('streams by default and applies updates as they arrive', async () => {
    const c = client();
    await c.waitForInitialization();
    expect(c.dataStatus().source).toBe('stream');
    expect(c.boolVariation('new-checkout', user, false)).toBe(true);
    ld.streams.patch('flags', 'new-checkout', flag(2, false));
    await waitFor(() => c.boolVariation('new-checkout', user, true) === false, 'the patch to apply');
    expect(ld.requestsTo('/all')).toHaveLength(1);
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(0);
  });

  it('polls instead when pollInterval is given, and on demand with stream: false', async () => {
    const looping = client({ pollInterval: 30 });
    await looping.waitForInitialization();
    expect(looping.dataStatus().source).toBe('polling');
    const onDemand = client({ stream: false });
    await onDemand.waitForInitialization();
    expect(onDemand.dataStatus().source).toBe('poll');
    expect(ld.requestsTo('/all')).toHaveLength(0);
  });

  it('flushes events periodically without flush() being called', async () => {
    const c = client({ flushInterval: 0.1 });
    await c.waitForInitialization();
    c.boolVariation('new-checkout', user, false);
    await waitFor(() => ld.events.bulk.length >= 1, 'the first periodic flush');
    c.track('checkout-viewed', user);
    await waitFor(() => ld.events.bulk.length >= 2, 'the second periodic flush');
    expect((ld.events.bulk[1] as { kind: string }[]).map((e) => e.kind)).toContain('custom');
  });

  it('schedules the periodic flush every 5 s unless told otherwise', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      client();
      expect(spy.mock.calls.some((call) => call[1] === 5000)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('closes cleanly: the stream ends, queued events are sent, nothing is left running', async () => {
    const tracker = await resourceTracker();
    try {
      const c = init(SDK_KEY, {
        baseUri: ld.baseUri,
        streamUri: ld.baseUri,
        eventsUri: ld.baseUri,
        logger: silentLoggerForTests,
      });
      await c.waitForInitialization();
      c.boolVariation('new-checkout', user, false);
      expect(ld.streams.openCount).toBe(1);
      await c.close();
      expect(ld.events.bulk).toHaveLength(1);
      await waitFor(() => ld.streams.openCount === 0, 'the stream to close');
      expect(await tracker.extra()).toEqual({ timers: 0, sockets: 0 });
    } finally {
      tracker.stop();
    }
  });
});

// --- web proxy ------------------------------------------------------------------------------

// A throwaway self-signed certificate for localhost, for the https leg of the CONNECT test.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdg/pDYHLF1ZgNBk7
QBj6ptUmL3di7JC03WdOq9ThmXehRANCAASWkv19N2KRRUGqICgSbDxDke0tPO0I
OGZ3O0bb9EaR+J7pSMN8HSCU8npSQ4xldPk5UB9uWGue6x2MS7MMa4ic
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUYxQXJH/Jbs0fkWMhszUxgu8yJSYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTAwMDMzNVoYDzIxMjYxMTAx
MDAwMzM1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASWkv19N2KRRUGqICgSbDxDke0tPO0IOGZ3O0bb9EaR+J7pSMN8HSCU
8npSQ4xldPk5UB9uWGue6x2MS7MMa4ico28wbTAdBgNVHQ4EFgQU+6oAUI3YaLHB
O5gxqlNS9fIboh0wHwYDVR0jBBgwFoAU+6oAUI3YaLHBO5gxqlNS9fIboh0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgEuuvQunUtA0or4phHdNNKkcIk858+xxQy0b4TEpQ3WYCIFfc
XK0KICrCjicszhts9/lNP5Pd0wP//O9MQ8Ezwf9y
-----END CERTIFICATE-----`;

interface HttpsFront {
  readonly uri: string;
  /** For each request: its path and the remote port it came from. */
  readonly seen: { path: string; remotePort: number }[];
  close(): Promise<void>;
}

/** An https server in front of the mock, so that requests to it need a CONNECT tunnel. */
async function startHttpsFront(upstreamBase: string): Promise<HttpsFront> {
  const seen: { path: string; remotePort: number }[] = [];
  const sockets = new Set<Socket>();
  const upstreamUrl = new URL(upstreamBase);
  const server: Server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (req, res) => {
    seen.push({ path: (req.url ?? '').split('?')[0], remotePort: req.socket.remotePort as number });
    const upstream = httpRequest(
      { host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('socket', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `https://localhost:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Streams, polls and sends events with the client `make` gives, checking each arrives. */
async function exerciseAll(make: (options: NodeOptions) => LDClient): Promise<void> {
  const streaming = make({});
  await streaming.waitForInitialization();
  expect(streaming.boolVariation('new-checkout', user, false)).toBe(true);
  ld.streams.patch('flags', 'new-checkout', flag(2, false));
  await waitFor(() => streaming.boolVariation('new-checkout', user, true) === false, 'the patch through the proxy');
  await streaming.flush();
  expect(ld.events.bulk).toHaveLength(1);

  const polling = make({ stream: false });
  await polling.waitForInitialization();
  expect(polling.boolVariation('new-checkout', user, false)).toBe(true);
  expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
}

describe('node adapter web proxy', () => {
  let proxy: LoopbackProxy;

  beforeEach(async () => {
    proxy = await startProxy();
  });

  afterEach(async () => {
    // Clients first: their close frees the proxy connections they hold.
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await proxy.close();
  });

  it('sends polling, streaming and event requests for http targets through HTTP_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    vi.stubEnv('HTTPS_PROXY', '');
    vi.stubEnv('NO_PROXY', '');
    await exerciseAll((options) => client(options));
    expect(proxy.log).toEqual(
      expect.arrayContaining([
        `GET ${ld.baseUri}/all`,
        `POST ${ld.baseUri}/bulk`,
        `GET ${ld.baseUri}/sdk/latest-all`,
      ]),
    );
    expect(proxy.log.every((line) => !line.startsWith('CONNECT'))).toBe(true);
  });

  it('tunnels https requests through HTTPS_PROXY with CONNECT', async () => {
    const front = await startHttpsFront(ld.baseUri);
    // The front's certificate is self-signed; Node warns once about the variable that allows it.
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    const emitWarning = process.emitWarning.bind(process);
    const quiet = vi.spyOn(process, 'emitWarning').mockImplementation((warning, ...rest) => {
      if (!String(warning).includes('NODE_TLS_REJECT_UNAUTHORIZED')) emitWarning(warning as string, ...(rest as []));
    });
    vi.stubEnv('HTTPS_PROXY', proxy.uri);
    vi.stubEnv('HTTP_PROXY', '');
    vi.stubEnv('NO_PROXY', '');
    try {
      await exerciseAll((options) => client(options, front.uri));
      const host = new URL(front.uri).host;
      expect(proxy.log.length).toBeGreaterThan(0);
      expect(proxy.log.every((line) => line === `CONNECT ${host}`)).toBe(true);
      // Every request the https server got came out of one of the proxy's tunnels.
      expect(front.seen.map((s) => s.path)).toEqual(expect.arrayContaining(['/all', '/bulk', '/sdk/latest-all']));
      for (const request of front.seen) expect(proxy.upstreamPorts.has(request.remotePort)).toBe(true);
    } finally {
      quiet.mockRestore();
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await front.close();
    }
  });

  it('goes direct for hosts listed in NO_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.uri);
    vi.stubEnv('NO_PROXY', 'example.com, 127.0.0.1');
    await exerciseAll((options) => client(options));
    expect(proxy.log).toEqual([]);
  });

  it('uses only the variable for the target scheme', async () => {
    vi.stubEnv('HTTP_PROXY', '');
    vi.stubEnv('HTTPS_PROXY', proxy.uri);
    const c = client({ stream: false });
    await c.waitForInitialization();
    expect(proxy.log).toEqual([]);
  });

  it('the proxy option overrides the environment; proxy: false ignores it', async () => {
    // Nothing listens on port 9 of the loopback interface: a request sent there fails.
    vi.stubEnv('HTTP_PROXY', 'http://127.0.0.1:9');
    vi.stubEnv('NO_PROXY', '');
    const viaOption = client({ stream: false, proxy: proxy.uri });
    await viaOption.waitForInitialization();
    expect(proxy.log).toEqual([`GET ${ld.baseUri}/sdk/latest-all`]);

    const direct = client({ stream: false, proxy: false });
    await direct.waitForInitialization();
    expect(proxy.log).toHaveLength(1);
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(2);
  });

  it('warns about a proxy it cannot use and goes direct', async () => {
    const lines: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => lines.push(m), error: () => {} };
    vi.stubEnv('HTTP_PROXY', 'ftp://proxy.corp:21');
    const c = client({ stream: false, logger });
    await c.waitForInitialization();
    expect(lines).toContain('HTTP_PROXY must be an http(s) proxy URL such as http://proxy.corp:3128; requests go direct');
    const custom = client({ stream: false, logger, proxy: proxy.uri, fetch: (input, init) => fetch(input, init) });
    await custom.waitForInitialization();
    expect(lines).toContain('option "proxy" is ignored because "fetch" is given');
    expect(proxy.log).toEqual([]);
  });

  it('closing the client frees its proxy connections', async () => {
    const tracker = await resourceTracker();
    try {
      vi.stubEnv('HTTP_PROXY', proxy.uri);
      vi.stubEnv('NO_PROXY', '');
      const c = init(SDK_KEY, {
        baseUri: ld.baseUri,
        streamUri: ld.baseUri,
        eventsUri: ld.baseUri,
        logger: silentLoggerForTests,
      });
      await c.waitForInitialization();
      c.boolVariation('new-checkout', user, false);
      await c.flush();
      expect(proxy.openConnections()).toBeGreaterThan(0);
      await c.close();
      // Idle keep-alive connections would otherwise stay open for seconds.
      await waitFor(() => proxy.openConnections() === 0, 'the proxy connections to close', { timeoutMs: 1000 });
      await waitFor(() => ld.streams.openCount === 0, 'the stream to close');
      // The proxy's accepted sockets are counted with the servers'; its upstream ones are idle.
      expect(await tracker.extra()).toEqual({ timers: 0, sockets: 0 });
    } finally {
      tracker.stop();
    }
  });
});

describe('NO_PROXY matching', () => {
  const matches = (url: string, noProxy: string) => bypassesProxy(new URL(url), noProxy);

  it('matches hosts, their subdomains, ports and wildcards', () => {
    expect(matches('https://sdk.launchdarkly.com/x', 'launchdarkly.com')).toBe(true);
    expect(matches('https://sdk.launchdarkly.com/x', '.launchdarkly.com')).toBe(true);
    expect(matches('https://sdk.launchdarkly.com/x', '*.launchdarkly.com')).toBe(true);
    expect(matches('https://launchdarkly.com/x', 'launchdarkly.com')).toBe(true);
    expect(matches('https://notlaunchdarkly.com/x', 'launchdarkly.com')).toBe(false);
    expect(matches('https://sdk.launchdarkly.com/x', 'example.com,  launchdarkly.com')).toBe(true);
    expect(matches('https://sdk.launchdarkly.com/x', 'example.com')).toBe(false);
    expect(matches('https://sdk.launchdarkly.com/x', '*')).toBe(true);
    expect(matches('https://sdk.launchdarkly.com/x', 'SDK.LaunchDarkly.com')).toBe(true);
  });

  it('matches ports, default ones included, and IP addresses', () => {
    expect(matches('http://relay.corp:8030/x', 'relay.corp:8030')).toBe(true);
    expect(matches('http://relay.corp:8031/x', 'relay.corp:8030')).toBe(false);
    expect(matches('https://relay.corp/x', 'relay.corp:443')).toBe(true);
    expect(matches('http://10.0.0.5:8030/x', '10.0.0.5')).toBe(true);
    expect(matches('http://10.0.0.50:8030/x', '10.0.0.5')).toBe(false);
    expect(matches('http://[::1]:8030/x', '::1')).toBe(true);
    expect(matches('http://[::1]:8030/x', '[::1]:8030')).toBe(true);
  });
});
