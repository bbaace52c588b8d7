/**
 * The contract's script for edge-runtime: one Vercel client per flag source in module scope, the
 * contract handler wrapped by the Vercel adapter, and the FetchEvent's `waitUntil` handed to it as
 * an Edge Function's context. `/__log` returns what the clients' loggers received.
 */
import { init, withLaunchDarkly, type WaitUntil } from '../../../runtimes/vercel/index.js';
import { askFromUrl, evaluate, recordingLogger, type ContractHostEnv } from './handler.js';

declare const CONTRACT_ENV: ContractHostEnv;

interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
}

const lines: string[] = [];
const handlers = new Map(
  Object.keys(CONTRACT_ENV.sdkKey).map((source) => {
    const client = init(CONTRACT_ENV.sdkKey[source], {
      baseUri: CONTRACT_ENV.baseUri[source],
      eventsUri: CONTRACT_ENV.eventsUri,
      cacheTtl: CONTRACT_ENV.cacheTtl,
      logger: recordingLogger(lines),
    });
    const handler = withLaunchDarkly(
      client,
      (request, ld) => Response.json(evaluate(ld, askFromUrl(request.url))),
      { timeout: CONTRACT_ENV.timeout },
    );
    return [source, handler] as const;
  }),
);

addEventListener('fetch', (e) => {
  const event = e as FetchEventLike;
  const url = new URL(event.request.url);
  if (url.pathname === '/__log') return event.respondWith(Promise.resolve(Response.json(lines)));
  const waitUntil: WaitUntil = (promise) => event.waitUntil(promise);
  const handler = handlers.get(url.searchParams.get('source') ?? '')!;
  event.respondWith(handler(event.request, { waitUntil }));
});
