// The OpenTelemetry hook through the real OpenTelemetry SDK: spans kept by its in-memory
// exporter, the active span found through its AsyncLocalStorage context manager.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_FLAG_EVENT, TracingHook, type TracingHookOptions } from '../../adapters/otel/index.js';
import { init, silentLoggerForTests, type LDClient, type LDContext } from '../helpers/sdk.js';

const flags = {
  flags: {
    banner: { key: 'banner', version: 3, on: true, fallthrough: { variation: 1 }, offVariation: 0, variations: ['old', 'new'], salt: 's' },
    limits: { key: 'limits', version: 1, on: false, offVariation: 0, variations: [{ uploads: 5 }], salt: 's' },
  },
  segments: {},
};
const user: LDContext = { kind: 'user', key: 'ann' };

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('otel-test');
const clients: LDClient[] = [];

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
afterEach(async () => {
  exporter.reset();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(options?: TracingHookOptions): LDClient {
  const made = init('sdk-key', { payload: flags as never, sendEvents: false, logger: silentLoggerForTests, hooks: [new TracingHook(options)] });
  clients.push(made);
  return made;
}

/** Runs `body` inside an active span and returns the finished span. */
function inSpan(body: () => void, t = tracer): ReadableSpan {
  t.startActiveSpan('request', (span) => {
    body();
    span.end();
  });
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0];
}

describe('TracingHook', () => {
  it('records a feature_flag.evaluation event on the active span, without the value by default', () => {
    const ld = client();
    const span = inSpan(() => expect(ld.stringVariation('banner', user, 'x')).toBe('new'));
    expect(span.events.map((e) => e.name)).toEqual([FEATURE_FLAG_EVENT]);
    expect(FEATURE_FLAG_EVENT).toBe('feature_flag.evaluation');
    expect(span.events[0].attributes).toEqual({
      'feature_flag.key': 'banner',
      'feature_flag.provider.name': 'LaunchDarkly',
      'feature_flag.result.variant': '1',
      'feature_flag.result.reason': 'default',
      'feature_flag.context.id': 'ann',
    });
  });

  it('adds the value when asked, JSON values as their JSON text, and one event per evaluation', () => {
    const ld = client({ includeValue: true, providerName: 'LD edge' });
    const span = inSpan(() => {
      ld.variation('banner', user, 'x');
      ld.jsonVariation('limits', user, {});
    });
    expect(span.events.map((e) => e.attributes?.['feature_flag.result.value'])).toEqual(['new', '{"uploads":5}']);
    expect(span.events[1].attributes).toMatchObject({
      'feature_flag.key': 'limits',
      'feature_flag.provider.name': 'LD edge',
      'feature_flag.result.reason': 'disabled',
    });
  });

  it('identifies a multi-kind context by its canonical key, or leaves the id out when told', () => {
    const multi: LDContext = { kind: 'multi', user: { key: 'ann' }, org: { key: 'acme:eu' } };
    let span = inSpan(() => client().variation('banner', multi, 'x'));
    expect(span.events[0].attributes?.['feature_flag.context.id']).toBe('org:acme%3Aeu:user:ann');
    exporter.reset();
    span = inSpan(() => client({ includeContextId: false }).variation('banner', multi, 'x'));
    expect(span.events[0].attributes).not.toHaveProperty('feature_flag.context.id');
  });

  it('marks errors with error.type and no variant', () => {
    const ld = client();
    const span = inSpan(() => {
      ld.variation('missing', user, 'x');
      ld.boolVariation('banner', user, false);
    });
    expect(span.events.map((e) => e.attributes)).toEqual([
      expect.objectContaining({ 'feature_flag.result.reason': 'error', 'error.type': 'flag_not_found' }),
      expect.objectContaining({ 'feature_flag.result.reason': 'error', 'error.type': 'type_mismatch' }),
    ]);
    for (const event of span.events) expect(event.attributes).not.toHaveProperty('feature_flag.result.variant');
  });

  it('does nothing without an active span, or when the span is not recording', () => {
    const ld = client();
    expect(ld.variation('banner', user, 'x')).toBe('new');
    expect(trace.getActiveSpan()).toBeUndefined();
    const unsampled = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    let sawSpan = false;
    unsampled.getTracer('off').startActiveSpan('dropped', (span) => {
      sawSpan = trace.getActiveSpan() === span;
      expect(ld.variation('banner', user, 'x')).toBe('new');
      span.end();
    });
    expect(sawSpan).toBe(true);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('names the environment as feature_flag.set.id once LaunchDarkly has said it', async () => {
    const envFetch: typeof fetch = async () =>
      new Response(JSON.stringify(flags), { headers: { 'Content-Type': 'application/json', 'X-LD-EnvID': 'env-7' } });
    const ld = init('sdk-key', { fetch: envFetch, sendEvents: false, logger: silentLoggerForTests, hooks: [new TracingHook()] });
    clients.push(ld);
    await ld.waitForInitialization({ timeout: 5 });
    const span = inSpan(() => ld.variation('banner', user, 'x'));
    expect(span.events[0].attributes?.['feature_flag.set.id']).toBe('env-7');
  });

  it('refuses a provider name that is not a string', () => {
    expect(() => new TracingHook({ providerName: 42 as never })).toThrow(/option "providerName" must be a string/);
  });
});
