// Event delivery when LaunchDarkly's event service misbehaves: retries with the same payload id,
// dropped batches, a permanent stop on 401, network errors, timeouts, a full queue and
// overlapping flushes. Against a loopback LaunchDarkly; every flush must settle, never reject.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/validateOptions.js';
import { toContext, type Context } from '../../src/context.js';
import { errorResult } from '../../src/evaluation/evaluator.js';
import { EventProcessor, type EventProcessorOptions, type EventsConfig } from '../../src/events/processor.js';
import { outcomeForStatus, type LDEventSender } from '../../src/events/sender.js';
import type { LDLogger } from '../../src/logging.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

function recordingLogger(): LDLogger & { lines: string[]; at(level: string): string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return {
    lines,
    at: (level) => lines.filter((l) => l.startsWith(`${level}: `)),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

function ctx(input: unknown): Context {
  const c = toContext(input);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

const user = ctx({ kind: 'user', key: 'u1' });

describe('event delivery faults', () => {
  let ld: MockLaunchDarkly;
  let logger: ReturnType<typeof recordingLogger>;
  let processors: EventProcessor[];

  beforeEach(async () => {
    ld = await startMockLaunchDarkly();
    logger = recordingLogger();
    processors = [];
  });

  afterEach(async () => {
    await ld.close();
    await Promise.all(processors.map((p) => p.close()));
  });

  function processor(overrides: Partial<EventsConfig> = {}, options: EventProcessorOptions = {}): EventProcessor {
    const config = { ...makeConfig('sdk-key', { eventsUri: ld.baseUri, logger }), ...overrides };
    const ep = new EventProcessor(config, { retryDelayMs: 20, ...options });
    processors.push(ep);
    return ep;
  }

  const ids = () => ld.events.payloads.map((p) => p.headers['x-launchdarkly-payload-id']);

  it('maps statuses to outcomes as LaunchDarkly does', () => {
    for (const s of [200, 202, 204, 299]) expect(outcomeForStatus(s)).toBe('success');
    for (const s of [400, 408, 429, 500, 502, 503, 504]) expect(outcomeForStatus(s)).toBe('retry');
    for (const s of [401, 403, 404, 405, 410]) expect(outcomeForStatus(s)).toBe('stop');
    expect(outcomeForStatus(413)).toBe('drop');
  });

  it('retries a 503 once, after the delay, with the same payload id; the data arrives once', async () => {
    ld.events.respondWith(503);
    const ep = processor();
    ep.recordCustom('once', user, { n: 1 }, undefined);
    await ep.flush();
    const payloads = ld.events.payloads;
    expect(payloads.map((p) => p.status)).toStrictEqual([503, 202]);
    expect(ids()[0]).toBe(ids()[1]);
    expect(payloads[0].body).toBe(payloads[1].body);
    expect(ld.requests[1].time - ld.requests[0].time).toBeGreaterThanOrEqual(15);
    expect(logger.at('warn')).toStrictEqual([]);
    expect(logger.at('error')).toStrictEqual([]);
    // Delivered, so not sent again.
    await ep.flush();
    expect(payloads).toHaveLength(2);
  });

  it('drops the batch after a second failure, with a warning, and delivers later batches', async () => {
    ld.events.respondWith(503, 500);
    const ep = processor();
    ep.recordCustom('lost', user, undefined, undefined);
    await expect(ep.flush()).resolves.toBeUndefined();
    expect(ld.events.payloads.map((p) => p.status)).toStrictEqual([503, 500]);
    expect(new Set(ids()).size).toBe(1);
    const warnings = logger.at('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/2 analytics events were dropped: HTTP 500/);

    ep.recordCustom('kept', user, undefined, undefined);
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(3);
    expect(ld.events.payloads[2].status).toBe(202);
    expect((ld.events.bulk[2] as { key: string }[]).map((e) => e.key)).toStrictEqual(['kept']);
    expect(ids()[2]).not.toBe(ids()[0]);
  });

  it('a 401 stops delivery for good with one error line, however many payloads were refused', async () => {
    ld.events.respondWith(401, 401, 401);
    const ep = processor({ eventBatchSize: 1 });
    ep.recordCustom('a', user, undefined, undefined);
    ep.recordCustom('b', user, undefined, undefined);
    await ep.flush(); // index, a, b: three payloads, all refused, none retried
    expect(ld.events.payloads.map((p) => p.status)).toStrictEqual([401, 401, 401]);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no longer be sent.*HTTP 401.*SDK key/);
    expect(logger.at('warn')).toStrictEqual([]);

    ep.recordCustom('c', user, undefined, undefined);
    ep.recordIdentify(ctx({ kind: 'user', key: 'u2' }));
    const started = performance.now();
    await ep.flush();
    expect(performance.now() - started).toBeLessThan(50);
    expect(ld.events.payloads).toHaveLength(3);
    expect(logger.at('error')).toHaveLength(1);
    await ep.close();
    expect(ld.events.payloads).toHaveLength(3);
  });

  it('a 403 stops delivery too; a 413 drops only that payload', async () => {
    ld.events.respondWith(413);
    const ep = processor();
    ep.recordCustom('too-big', user, undefined, undefined);
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(1); // not retried
    expect(logger.at('warn')).toHaveLength(1);
    ld.events.respondWith(403);
    ep.recordCustom('refused', user, undefined, undefined);
    await ep.flush();
    ep.recordCustom('never', user, undefined, undefined);
    await ep.flush();
    expect(ld.events.payloads.map((p) => p.status)).toStrictEqual([413, 403]);
    expect(logger.at('error')).toHaveLength(1);
  });

  it('a network error is retried once, then the batch is dropped with a warning', async () => {
    const closed = await startMockLaunchDarkly();
    const deadUri = closed.baseUri;
    await closed.close();
    const ep = processor({ eventsUri: deadUri });
    ep.recordCustom('nowhere', user, undefined, undefined);
    await expect(ep.flush()).resolves.toBeUndefined();
    const warnings = logger.at('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/2 analytics events were dropped/);
    expect(logger.at('debug').some((l) => /retrying once/.test(l))).toBe(true);
    expect(logger.at('error')).toStrictEqual([]);
  });

  it('an endpoint slower than the timeout: each attempt gives up at the timeout and flush resolves', async () => {
    ld.events.delayMs = 5000;
    const base = makeConfig('sdk-key', { eventsUri: ld.baseUri, logger });
    const ep = processor({ http: { ...base.http, connectTimeoutMs: 100, readTimeoutMs: 100 } });
    ep.recordCustom('slow', user, undefined, undefined);
    const started = performance.now();
    await expect(ep.flush()).resolves.toBeUndefined();
    const elapsed = performance.now() - started;
    // Two attempts of 200 ms each and a 20 ms pause; far below the 5 s the server would take.
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(3000);
    expect(ld.events.payloads).toHaveLength(2);
    expect(new Set(ids()).size).toBe(1);
    expect(logger.at('warn')[0]).toMatch(/dropped: event delivery timed out after 200 ms/);
  });

  it('bounds the queue at capacity: the rest are counted as dropped, with one warning per overflow', async () => {
    const ep = processor({ capacity: 10 });
    for (let i = 0; i < 1000; i++) ep.recordCustom('flood', user, { i }, undefined);
    // One index event and 1000 custom events, of which ten fit.
    expect(ep.droppedEvents).toBe(991);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]).toMatch(/queue is full \(capacity 10\)/);
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(1);
    expect(ld.events.bulk[0]).toHaveLength(10);

    // After a flush there is room again; a new overflow warns again.
    for (let i = 0; i < 15; i++) ep.recordCustom('again', user, undefined, undefined);
    expect(ep.droppedEvents).toBe(996);
    expect(logger.at('warn')).toHaveLength(2);
  });

  it('summary counts are not limited by capacity', async () => {
    const ep = processor({ capacity: 1 });
    const result = errorResult('FLAG_NOT_FOUND');
    for (let i = 0; i < 50; i++) ep.recordEvaluation('f', ctx({ kind: 'user', key: `u${i}` }), result, false, false);
    expect(ep.droppedEvents).toBe(49); // index events beyond the first
    await ep.flush();
    const events = ld.events.bulk.flat() as { kind: string; features?: { f: { counters: { count: number }[] } } }[];
    expect(events.map((e) => e.kind)).toStrictEqual(['index', 'summary']);
    expect(events[1].features?.f.counters[0].count).toBe(50);
  });

  it('concurrent flushes never send an event twice, and each waits only for its own payloads', async () => {
    ld.events.delayMs = 40;
    const ep = processor({ eventBatchSize: 7 });
    for (let i = 0; i < 20; i++) ep.recordCustom('c', user, { i }, undefined);
    const first = ep.flush();
    for (let i = 20; i < 30; i++) ep.recordCustom('c', user, { i }, undefined);
    const second = ep.flush();
    // The third flush has nothing of its own: it settles at once, without waiting on payloads
    // another caller (in workerd, another request) sent.
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(0);
    await Promise.all([first, second]);
    const seen = (ld.events.bulk.flat() as { kind: string; data?: { i: number } }[]).filter((e) => e.kind === 'custom');
    expect(seen.map((e) => e.data?.i).sort((a, b) => (a ?? 0) - (b ?? 0))).toStrictEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
    expect(ld.events.payloads).toHaveLength(5); // 21 events in 3 payloads, then 10 in 2
    expect(new Set(ids()).size).toBe(5);
  });

  it('close() waits for every delivery under way', async () => {
    ld.events.delayMs = 40;
    const ep = processor();
    ep.recordCustom('c', user, { i: 1 }, undefined);
    void ep.flush();
    await ep.close();
    expect(ld.events.payloads).toHaveLength(1);
  });

  it('concurrent flushes while a payload is being retried still deliver everything once', async () => {
    ld.events.respondWith(503);
    const ep = processor({}, { retryDelayMs: 50 });
    ep.recordCustom('x', user, { i: 0 }, undefined);
    const first = ep.flush();
    ep.recordCustom('x', user, { i: 1 }, undefined);
    const second = ep.flush();
    await Promise.all([first, second, ep.flush()]);
    const delivered = ld.events.payloads.filter((p) => p.status === 202).flatMap((p) => p.json as { data?: { i: number } }[]);
    expect(delivered.map((e) => e.data?.i).filter((i) => i !== undefined).sort()).toStrictEqual([0, 1]);
  });

  it('a custom sender that throws or answers nonsense is treated as a failure, never an exception', async () => {
    let calls = 0;
    const throwing: LDEventSender = {
      sendEvents: async () => {
        calls++;
        throw new Error('boom');
      },
    };
    const ep = processor({}, { sender: throwing });
    ep.recordCustom('x', user, undefined, undefined);
    await expect(ep.flush()).resolves.toBeUndefined();
    expect(calls).toBe(2);
    expect(logger.at('warn')[0]).toMatch(/dropped: Error: boom/);

    const nonsense = { sendEvents: async () => undefined } as unknown as LDEventSender;
    const ep2 = processor({}, { sender: nonsense });
    ep2.recordCustom('x', user, undefined, undefined);
    await expect(ep2.flush()).resolves.toBeUndefined();
  });

  it('the eventSender option replaces the default sender', async () => {
    const sent: { payload: string; id: string }[] = [];
    const sender: LDEventSender = {
      sendEvents: async (payload, id) => {
        sent.push({ payload, id });
        return { outcome: 'success', status: 202 };
      },
    };
    const ep = processor({ eventSender: sender });
    ep.recordCustom('x', user, undefined, undefined);
    await ep.flush();
    expect(ld.events.payloads).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0].payload)).toHaveLength(2);
  });
});
