/**
 * The adapter contract for Node.js: a long-lived `ldedge/node` client per flag source behind a
 * node:http server on a free loopback port, as examples/node/server.ts serves. Node has no handler
 * wrapper: the server awaits `waitForInitialization` per request (on-demand polling, so a request
 * past cacheTtl refreshes) and its events leave with the client's periodic flush.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { init, type LDClient } from '../../runtimes/node/index.js';
import { describeAdapterContract, type FlagSource } from './adapterContract.js';
import { askFromUrl, contractUrl, evaluate, recordingLogger } from './fixtures-contract/handler.js';

const lines: string[] = [];
const clients = new Map<string, LDClient>();
let server: Server | undefined;
let base = '';

describeAdapterContract('node', {
  events: 'after-response',
  unsupported: {
    loadWarning: 'ldedge/node has no handler wrapper; waitForInitialization rejects with the cause',
  },
  async start(env) {
    for (const source of ['served', 'missing', 'unreachable'] as const satisfies FlagSource[]) {
      clients.set(
        source,
        init(env.sdkKey[source], {
          stream: false,
          baseUri: env.baseUri[source],
          eventsUri: env.eventsUri,
          cacheTtl: env.cacheTtl,
          flushInterval: 0.2,
          proxy: false,
          logger: recordingLogger(lines),
        }),
      );
    }
    server = createServer((req, res) => {
      const url = `http://127.0.0.1${req.url ?? '/'}`;
      const client = clients.get(new URL(url).searchParams.get('source') ?? '')!;
      void (async () => {
        try {
          // As the example does: serve anyway, with the reason at hand for the application.
          const loadError = await client.waitForInitialization({ timeout: env.timeout }).then(
            () => undefined,
            (err: Error) => err.message,
          );
          const body = JSON.stringify({ ...evaluate(client, askFromUrl(url)), loadError });
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } catch {
          res.writeHead(500).end();
        }
      })();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  },
  async stop() {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await new Promise((resolve) => server?.close(resolve));
  },
  async request({ source, ...ask }) {
    const mark = lines.length;
    const response = await fetch(contractUrl(base, source, { throwInHandler: false, ...ask }));
    if (response.status !== 200) {
      await response.text();
      return { threw: true, warnings: lines.slice(mark) };
    }
    const body = (await response.json()) as { details: Record<string, never>; loadError?: string };
    return { threw: false, details: body.details, warnings: lines.slice(mark), loadError: body.loadError };
  },
});
