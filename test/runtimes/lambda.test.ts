// The Lambda adapter, invoked the way the Lambda runtime invokes a handler: the exported function
// is called with an event and a context object, and the invocation is over when its promise
// settles. A cold start is a fresh evaluation of the handler's module.
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InMemoryPersistentStore,
  withLaunchDarkly,
  type LDClient,
  type LDLogger,
  type LambdaOptions,
} from '../../runtimes/lambda/index.js';
import { sleep, startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const SDK_KEY = 'sdk-lambda-test';

function flag(version: number, on: boolean) {
  return {
    key: 'new-checkout',
    version,
    on,
    offVariation: 0,
    fallthrough: { variation: 1 },
    variations: [false, true],
    salt: 'salt',
    trackEvents: true,
  };
}

/** A context object with the members the Lambda Node.js runtime gives a handler. */
function lambdaContext(timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: 'checkout',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:checkout',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/checkout',
    logStreamName: '2024/01/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: LDLogger = {
    debug: () => {},
    info: () => {},
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
  return { logger, lines };
}

type BulkEvent = { kind: string; key?: string; value?: unknown; features?: Record<string, unknown> };

let ld: MockLaunchDarkly;
/** Clients the test's handlers were given, closed afterwards so no delivery outlives its test. */
let clients: Set<LDClient>;

beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  ld.polling.setData({ flags: { 'new-checkout': flag(1, true) }, segments: {} });
  clients = new Set();
});

afterEach(async () => {
  await Promise.all([...clients].map((c) => c.close()));
  await ld.close();
});

/** A handler as an application would write it: evaluates, records a custom event, answers. */
function makeHandler(options: Partial<LambdaOptions> = {}, body?: (ld: LDClient) => void) {
  const { logger, lines } = recordingLogger();
  const handler = withLaunchDarkly(
    { sdkKey: SDK_KEY, baseUri: ld.baseUri, eventsUri: ld.baseUri, logger, ...options },
    async (event: { user: string }, context, client) => {
      clients.add(client);
      const enabled = client.boolVariation('new-checkout', { kind: 'user', key: event.user }, false);
      client.track('checkout-viewed', { kind: 'user', key: event.user });
      body?.(client);
      return { statusCode: 200, enabled, requestId: context.awsRequestId };
    },
  );
  return { handler, lines };
}

function bulkEvents(): BulkEvent[] {
  return ld.events.bulk.flat() as BulkEvent[];
}

describe('Lambda handler wrapper', () => {
  it('loads once per cold start, reuses the client while warm and delivers events before returning', async () => {
    vi.stubEnv('LD_SDK_KEY', SDK_KEY);
    vi.stubEnv('LD_BASE_URI', ld.baseUri);
    vi.stubEnv('LD_EVENTS_URI', ld.baseUri);
    try {
      for (let coldStart = 1; coldStart <= 2; coldStart++) {
        // A new execution environment evaluates the function's module afresh.
        vi.resetModules();
        const { handler } = await import('../../examples/lambda/handler.js');
        for (let i = 0; i < 3; i++) {
          const payloadsBefore = ld.events.payloads.length;
          const result = await handler({ queryStringParameters: { user: `user-${i}` } }, lambdaContext());
          expect(result.statusCode).toBe(200);
          expect(JSON.parse(result.body)).toMatchObject({ newCheckout: true });
          // Delivered before the invocation's promise resolved, not afterwards.
          expect(ld.events.payloads.length).toBe(payloadsBefore + 1);
          const sent = ld.events.bulk.at(-1) as BulkEvent[];
          expect(sent.map((e) => e.kind)).toEqual(expect.arrayContaining(['index', 'feature', 'summary']));
          expect(ld.events.payloads.at(-1)?.status).toBe(202);
        }
        expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(coldStart);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('without an SDK key, the cold start does not throw: one error naming the option, then defaults', async () => {
    vi.stubEnv('LD_SDK_KEY', undefined);
    vi.stubEnv('LD_BASE_URI', ld.baseUri);
    vi.stubEnv('LD_EVENTS_URI', ld.baseUri);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      vi.resetModules();
      const { handler } = await import('../../examples/lambda/handler.js');
      for (const user of ['alice', 'bob']) {
        const result = await handler({ queryStringParameters: { user } }, lambdaContext());
        expect(result.statusCode).toBe(200);
        // The default, for want of flags: the served flag would say true for everyone.
        expect(JSON.parse(result.body)).toEqual({ newCheckout: false, reason: { kind: 'ERROR', errorKind: expect.any(String) } });
      }
      const lines = errors.mock.calls.map((call) => String(call[0]));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[ldedge\] error: option "sdkKey" is empty \(is LD_SDK_KEY set/);
      expect(ld.requests).toHaveLength(0);
      // Offline on purpose: no key needed, nothing to complain about.
      const offline = withLaunchDarkly({ sdkKey: '', offline: true }, (_event: unknown, _context, client) => client.boolVariation('f', { key: 'u' }, true));
      expect(await offline({}, lambdaContext())).toBe(true);
      expect(errors).toHaveBeenCalledTimes(1);
    } finally {
      errors.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('passes the result through and sends the events of every invocation', async () => {
    const { handler } = makeHandler();
    const first = await handler({ user: 'ann' }, lambdaContext());
    expect(first).toMatchObject({ statusCode: 200, enabled: true });
    expect(bulkEvents().filter((e) => e.kind === 'custom')).toHaveLength(1);
    await handler({ user: 'bob' }, lambdaContext());
    expect(bulkEvents().filter((e) => e.kind === 'custom')).toHaveLength(2);
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
  });

  it('refreshes the flags once they are older than cacheTtl', async () => {
    const { handler } = makeHandler({ cacheTtl: 0.2 });
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: true });
    ld.polling.setData({ flags: { 'new-checkout': flag(2, false) }, segments: {} });
    // Within the TTL: the flags held are used, nothing is requested.
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: true });
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);

    await sleep(250);
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: false });
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(2);

    // Unchanged data after the next TTL costs a 304.
    await sleep(250);
    await handler({ user: 'ann' }, lambdaContext());
    const polls = ld.requestsTo('/sdk/latest-all');
    expect(polls).toHaveLength(3);
    expect(polls[2].headers['if-none-match']).toBe(ld.polling.etag);
  });

  it('stops waiting for events when the invocation is about to run out of time', async () => {
    const { handler, lines } = makeHandler();
    await handler({ user: 'warm-up' }, lambdaContext());
    ld.events.delayMs = 1500;
    // 1000 ms left, less the 500 ms margin: at most 500 ms of waiting for the delivery.
    const started = performance.now();
    const result = await handler({ user: 'ann' }, lambdaContext(1000));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ statusCode: 200 });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    // Before the invocation's deadline, and long before the events service answers.
    expect(elapsed).toBeLessThan(1000);
    expect(lines.some((l) => l.startsWith('warn: analytics events were not delivered within'))).toBe(true);
    // The payload was sent; its answer had not come back.
    expect(ld.events.payloads).toHaveLength(2);
  });

  it('caps the wait for events at flushTimeout', async () => {
    const { handler, lines } = makeHandler({ flushTimeout: 0.2 });
    await handler({ user: 'warm-up' }, lambdaContext());
    ld.events.delayMs = 1500;
    const started = performance.now();
    await handler({ user: 'ann' }, lambdaContext(60_000));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1000);
    expect(lines.some((l) => l.includes('not delivered within 200 ms'))).toBe(true);
  });

  it('flushes when the handler throws, then rethrows', async () => {
    ld.events.delayMs = 50;
    const { handler } = makeHandler({}, () => {
      throw new Error('payment service down');
    });
    await expect(handler({ user: 'ann' }, lambdaContext())).rejects.toThrow('payment service down');
    const kinds = bulkEvents().map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['index', 'feature', 'custom', 'summary']));
    expect(ld.events.payloads[0].status).toBe(202);
  });

  it('runs the handler with defaults when flags cannot be loaded', async () => {
    ld.polling.failNext(500);
    const { handler, lines } = makeHandler();
    const result = await handler({ user: 'ann' }, lambdaContext());
    expect(result).toMatchObject({ statusCode: 200, enabled: false });
    expect(lines.some((l) => l.startsWith('error: flags are not loaded: poll load failed'))).toBe(true);
    // The evaluation (as CLIENT_NOT_READY) and the custom event still went out.
    expect(bulkEvents().map((e) => e.kind)).toContain('custom');
    // The next invocation tries again once the TTL allows; with the default TTL it waits.
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(1);
  });

  it('reads a persistent store in daemon mode, once per cold start and again after the TTL', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: { 'new-checkout': JSON.stringify(flag(1, true)) }, segments: {} });
    let reads = 0;
    const getAll = store.getAll.bind(store);
    store.getAll = (kind) => {
      if (kind === 'flags') reads++;
      return getAll(kind);
    };

    const { handler } = makeHandler({ useLdd: true, featureStore: store, cacheTtl: 0.2 });
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: true });
    expect(await handler({ user: 'bob' }, lambdaContext())).toMatchObject({ enabled: true });
    expect(reads).toBe(1);

    await store.upsert('flags', 'new-checkout', 2, JSON.stringify(flag(2, false)));
    await sleep(250);
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: false });
    expect(reads).toBe(2);

    // Never asks LaunchDarkly for flags; events still go to the events service.
    expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(0);
    expect(ld.events.payloads).toHaveLength(3);

    // Another cold start reads the store again.
    const second = makeHandler({ useLdd: true, featureStore: store, cacheTtl: 0.2 });
    await second.handler({ user: 'ann' }, lambdaContext());
    expect(reads).toBe(3);
  });

  it('writes the flags it polls through to a featureStore, for daemon-mode readers', async () => {
    const store = new InMemoryPersistentStore();
    const { handler, lines } = makeHandler({ featureStore: store });
    expect(await handler({ user: 'ann' }, lambdaContext())).toMatchObject({ enabled: true });
    expect(await store.isInitialized()).toBe(true);
    expect(JSON.parse((await store.get('flags', 'new-checkout'))!)).toEqual(flag(1, true));
    expect(lines.filter((l) => l.includes('featureStore'))).toEqual([]);
  });

  it('ignores flushInterval, which would leave a timer running between invocations', () => {
    const { lines } = makeHandler({ flushInterval: 1 });
    expect(lines).toContain(
      'warn: option "flushInterval" is ignored in Lambda: events are flushed before each invocation returns',
    );
  });
});

/** A few turns of the event loop, without a timer of our own. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * What an invocation leaves behind, from `process.getActiveResourcesInfo()` (which lists only
 * resources that keep the event loop alive).
 *
 * - Timers are checked strictly, right when the invocation's promise settles: the adapter and
 *   the engine must have cleared every timer they set by then.
 * - Sockets are checked after a short settle. Node's fetch puts a keep-alive socket back into its
 *   pool, and unreferences it, on a turn of the event loop just after the response is read; until
 *   then the idle socket still counts. A socket that is still referenced after that is busy: a
 *   request ldedge left running.
 * - The mock's own server-side sockets, in this same process, are referenced too; they are
 *   tracked through the `net.server.socket` diagnostics channel and not counted.
 */
async function resourceTracker() {
  // Waits out what is still settling when a test starts: sockets closed by the previous test's
  // teardown, and the timer (up to 100 ms) vitest's runner uses to throttle its task updates.
  await sleep(150);
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
    extraTimers: () => count('Timeout') - baseline.timers,
    extraClientSockets: async () => {
      await settle();
      return count('TCPSocketWrap') - serverSockets.size - baseline.sockets;
    },
    stop: () => unsubscribe('net.server.socket', onServerSocket),
  };
}

describe('Lambda handler wrapper: nothing left running after an invocation', () => {
  it('leaves no timer and no busy socket, on success, on a refresh and when the handler throws', async () => {
    const tracker = await resourceTracker();
    try {
      let fail = false;
      const { handler } = makeHandler({ cacheTtl: 0.05 }, () => {
        if (fail) throw new Error('boom');
      });
      for (let i = 0; i < 4; i++) {
        fail = i === 2;
        if (i === 3) await sleep(80); // past the TTL: this invocation polls again
        await handler({ user: `user-${i}` }, lambdaContext()).catch(() => undefined);
        expect(tracker.extraTimers()).toBe(0);
        expect(await tracker.extraClientSockets()).toBe(0);
      }
      expect(ld.requestsTo('/sdk/latest-all')).toHaveLength(2);
      expect(ld.events.payloads).toHaveLength(4);
    } finally {
      tracker.stop();
    }
  });

  it('the same check sees a delivery left in flight when the flush bound is hit', async () => {
    const tracker = await resourceTracker();
    try {
      const { handler } = makeHandler({ flushTimeout: 0.1 });
      ld.events.delayMs = 1000;
      await handler({ user: 'ann' }, lambdaContext());
      // The engine's request timeout and the busy socket of the unanswered delivery.
      expect(tracker.extraTimers()).toBeGreaterThan(0);
      expect(await tracker.extraClientSockets()).toBe(1);
      // Once the answer comes, nothing is left.
      await Promise.all([...clients].map((c) => c.close()));
      await sleep(20);
      expect(await tracker.extraClientSockets()).toBe(0);
    } finally {
      tracker.stop();
    }
  });
});
