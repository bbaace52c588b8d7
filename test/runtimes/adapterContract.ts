/**
 * The behaviour every host's adapter must show, written once. A host's test file implements
 * `AdapterHarness` (how a request gets into its real host and a result out) and calls
 * `describeAdapterContract`. The contract owns the loopback servers: a LaunchDarkly that serves
 * examples/flags.json and collects events, one that answers 404 for the flags, and a port nobody
 * listens on. Each flag source has its own SDK key, so a host keeps one client per source.
 */
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type LDContext, type LDEvaluationDetail } from '../../src/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { CONTRACT_DEFAULT, CONTRACT_EVENT } from './fixtures-contract/handler.js';

export { CONTRACT_DEFAULT, CONTRACT_EVENT };

export const PAYLOAD_TEXT = readFileSync(new URL('../../examples/flags.json', import.meta.url), 'utf8');

/** Where a request's flags come from: served as they should be, answered 404, or nobody listening. */
export type FlagSource = 'served' | 'missing' | 'unreachable';

export interface ContractEnv {
  /** Base URI (polling) for each source. */
  readonly baseUri: Record<FlagSource, string>;
  /** SDK key for each source; the host keeps one client per key. */
  readonly sdkKey: Record<FlagSource, string>;
  /** Where every client sends its events. */
  readonly eventsUri: string;
  /** Seconds a client keeps what it loaded. */
  readonly cacheTtl: number;
  /** Seconds a request waits for flags before its handler runs anyway. */
  readonly timeout: number;
}

export interface ContractRequest {
  source: FlagSource;
  context: LDContext;
  flagKeys: string[];
  throwInHandler?: boolean;
}

export interface ContractResult {
  /** The handler's error reached the host (the request failed) instead of a response. */
  threw: boolean;
  /** `variationDetail(key, context, CONTRACT_DEFAULT)` for each asked key, when the handler answered. */
  details?: Record<string, LDEvaluationDetail>;
  /** The warn and error lines the client's logger received while this request ran. */
  warnings: string[];
  /** Where the host hands a failed load to the application instead: the error's message. */
  loadError?: string;
}

/** A behaviour the contract checks that a host may be unable to show. */
export type ContractFeature =
  /** The client and what it loaded outlive a request. */
  | 'stateBetweenRequests'
  /** The adapter itself logs one line saying why flags did not load. */
  | 'loadWarning';

export interface AdapterHarness {
  /** Builds and starts the host with the adapter; called once before the contract's tests. */
  start(env: ContractEnv): Promise<void>;
  stop(): Promise<void>;
  /** Sends one request into the host and waits for its response (or failure). */
  request(ask: ContractRequest): Promise<ContractResult>;
  /**
   * When events leave: after the response (waitUntil, or work the host runs to completion), or
   * before the invocation returns (a host that freezes once it has returned).
   */
  events: 'after-response' | 'before-return';
  /** What this host cannot do, each with the reason; the contract then says so in a test's name. */
  unsupported?: Partial<Record<ContractFeature, string>>;
}

const FLAGS = ['new-checkout', 'banner-text', 'max-upload-mb'];
const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'alice', name: 'Alice' },
  { kind: 'user', key: 'bob', country: 'de', groups: ['beta'] },
  { kind: 'user', key: 'carol', plan: 'free' },
  { kind: 'multi', user: { key: 'dave', plan: 'pro' }, org: { key: 'acme' } },
];
/** How long the events sink holds its answer, to tell "after the response" from "before". */
const SINK_DELAY_MS = 1000;

/** A loopback port that was free a moment ago and that nobody listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Event = { kind: string; key?: string; context?: { key?: string; user?: { key?: string } }; features?: Record<string, unknown> };

export function describeAdapterContract(host: string, harness: AdapterHarness): void {
  let served: MockLaunchDarkly;
  let missing: MockLaunchDarkly;
  let env: ContractEnv;
  let counter = 0;
  /** A context no other request of this run uses, so its events are told apart. */
  const fresh = (what: string): LDContext => ({ kind: 'user', key: `${host}-${what}-${++counter}`, plan: 'pro' });

  const eventsFrom = (source: FlagSource): Event[] =>
    served.events.payloads
      .filter((p) => p.path === '/bulk' && p.headers.authorization === env.sdkKey[source])
      .flatMap((p) => p.json as Event[]);
  const customEventsOf = (source: FlagSource, contextKey: string) =>
    eventsFrom(source).filter((e) => e.kind === 'custom' && e.key === CONTRACT_EVENT && e.context?.key === contextKey);
  const pollsWith = (mock: MockLaunchDarkly, source: FlagSource) =>
    mock.requestsTo('/sdk/latest-all').filter((r) => r.headers.authorization === env.sdkKey[source]).length;

  describe(`adapter contract: ${host}`, () => {
    beforeAll(async () => {
      served = await startMockLaunchDarkly();
      served.polling.setData(JSON.parse(PAYLOAD_TEXT));
      missing = await startMockLaunchDarkly();
      missing.polling.failNext(404, 1_000_000);
      env = {
        baseUri: { served: served.baseUri, missing: missing.baseUri, unreachable: `http://127.0.0.1:${await closedPort()}` },
        sdkKey: { served: `sdk-contract-${host}-served`, missing: `sdk-contract-${host}-missing`, unreachable: `sdk-contract-${host}-unreachable` },
        eventsUri: served.baseUri,
        cacheTtl: 30,
        timeout: 3,
      };
      await harness.start(env);
    }, 60_000);

    afterAll(async () => {
      await harness.stop();
      await served?.close();
      await missing?.close();
    });

    it('answers variationDetail as the engine does from the same payload', async () => {
      const engine = init('sdk-engine', { payload: PAYLOAD_TEXT, sendEvents: false });
      for (const context of CONTEXTS) {
        const result = await harness.request({ source: 'served', context, flagKeys: FLAGS });
        expect(result.threw).toBe(false);
        const want = Object.fromEntries(FLAGS.map((key) => [key, engine.variationDetail(key, context, CONTRACT_DEFAULT)]));
        expect(result.details).toEqual(JSON.parse(JSON.stringify(want)));
        expect(result.warnings).toEqual([]);
      }
      // The payload really distinguishes these contexts, so equal answers mean something.
      const reasons = CONTEXTS.map((c) => engine.variationDetail('new-checkout', c, CONTRACT_DEFAULT).reason.kind);
      expect(new Set(reasons).size).toBeGreaterThan(1);
    });

    const reuse = harness.unsupported?.stateBetweenRequests;
    if (reuse !== undefined) {
      it(`does not keep flags between requests on this host (declared: ${reuse}): each request loads`, async () => {
        const before = pollsWith(served, 'served');
        await harness.request({ source: 'served', context: CONTEXTS[0], flagKeys: FLAGS });
        await harness.request({ source: 'served', context: CONTEXTS[1], flagKeys: FLAGS });
        expect(pollsWith(served, 'served') - before).toBe(2);
      });
    } else {
      it('loads once and serves later requests within cacheTtl from what it loaded', async () => {
        for (const context of CONTEXTS) {
          const result = await harness.request({ source: 'served', context, flagKeys: ['new-checkout'] });
          expect(result.details?.['new-checkout'].value).not.toBe(CONTRACT_DEFAULT);
        }
        // One poll for this source in the whole run, whichever test made it.
        expect(pollsWith(served, 'served')).toBe(1);
      });
    }

    it(`delivers the handler's events ${harness.events === 'after-response' ? 'after its response' : 'before the invocation returns'}`, async () => {
      const context = fresh('events');
      served.events.delayMs = SINK_DELAY_MS;
      try {
        const started = performance.now();
        const result = await harness.request({ source: 'served', context, flagKeys: FLAGS });
        const ms = performance.now() - started;
        expect(result.threw).toBe(false);
        if (harness.events === 'after-response') {
          // The sink had not answered yet when the response came.
          expect(ms).toBeLessThan(SINK_DELAY_MS);
          await waitFor(() => customEventsOf('served', String(context.key)).length === 1, 'the custom event at the sink');
        } else {
          expect(ms).toBeGreaterThanOrEqual(SINK_DELAY_MS - 50);
          expect(customEventsOf('served', String(context.key))).toHaveLength(1);
        }
      } finally {
        served.events.delayMs = 0;
      }
      const batch = served.events.payloads.find((p) => JSON.stringify(p.json).includes(String(context.key)));
      const kinds = (batch?.json as Event[]).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['index', 'custom', 'summary']));
      const summary = (batch?.json as Event[]).find((e) => e.kind === 'summary');
      expect(Object.keys(summary?.features ?? {})).toEqual(expect.arrayContaining(FLAGS));
    });

    it('delivers the events recorded before the handler threw', async () => {
      const context = fresh('throw');
      const result = await harness.request({ source: 'served', context, flagKeys: FLAGS, throwInHandler: true });
      expect(result.threw).toBe(true);
      await waitFor(() => customEventsOf('served', String(context.key)).length === 1, 'the event recorded before the throw');
    });

    const noWarning = harness.unsupported?.loadWarning;
    for (const [source, cause] of [
      ['missing', /404/],
      ['unreachable', /ECONNREFUSED|fetch failed|connect|network|refused|error sending request/i],
    ] as const) {
      const says = noWarning === undefined ? 'warns once, naming why' : `hands the cause to the application, logging nothing about it (declared: ${noWarning})`;
      it(`with ${source} flag data, runs the handler with defaults and ${says}`, async () => {
        const context = fresh(source);
        const result = await harness.request({ source, context, flagKeys: FLAGS });
        expect(result.threw).toBe(false);
        for (const key of FLAGS) {
          expect(result.details?.[key]).toEqual({ value: CONTRACT_DEFAULT, reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' } });
        }
        // Each default evaluation may say so per flag; about the load itself there is one line.
        const aboutLoad = result.warnings.filter((line) => !/^warn: flag "[^"]+": /.test(line));
        if (noWarning === undefined) {
          expect(aboutLoad, result.warnings.join('\n')).toHaveLength(1);
          expect(aboutLoad[0]).toMatch(cause);
        } else {
          // The declaration holds: should the adapter start warning, this fails and it must go.
          expect(aboutLoad, result.warnings.join('\n')).toEqual([]);
          expect(result.loadError).toMatch(cause);
        }
        // It asked the source it was given, and the handler's event still went out.
        if (source === 'missing') expect(pollsWith(missing, 'missing')).toBeGreaterThan(0);
        await waitFor(() => customEventsOf(source, String(context.key)).length === 1, "the handler's event");
      });
    }
  });
}
