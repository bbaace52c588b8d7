/**
 * The contract's script for the `deno` binary: one client per flag source, the contract handler
 * wrapped by the Deno adapter, served by Deno.serve on a free loopback port (printed). `/__log`
 * returns what the clients' loggers received.
 */
import { init, withLaunchDarkly } from '../../../runtimes/deno/index.js';
import { askFromUrl, evaluate, recordingLogger, type ContractHostEnv } from './handler.js';

declare const CONTRACT_ENV: ContractHostEnv;
declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void; onError?(err: unknown): Response },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): unknown;
};

const lines: string[] = [];
const handlers = new Map(
  Object.keys(CONTRACT_ENV.sdkKey).map((source) => {
    const client = init(CONTRACT_ENV.sdkKey[source], {
      baseUri: CONTRACT_ENV.baseUri[source],
      eventsUri: CONTRACT_ENV.eventsUri,
      cacheTtl: CONTRACT_ENV.cacheTtl,
      logger: recordingLogger(lines),
    });
    const handler = withLaunchDarkly(client, (request, ld) => Response.json(evaluate(ld, askFromUrl(request.url))), {
      timeout: CONTRACT_ENV.timeout,
    });
    return [source, handler] as const;
  }),
);

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(`listening on ${port}`),
    // What Deno.serve does with a handler's error anyway, without printing its stack.
    onError: () => new Response('handler failed', { status: 500 }),
  },
  (request, info) => {
    const url = new URL(request.url);
    if (url.pathname === '/__log') return Response.json(lines);
    return handlers.get(url.searchParams.get('source') ?? '')!(request, info);
  },
);
