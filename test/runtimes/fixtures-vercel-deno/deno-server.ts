/**
 * The script the Deno test runs: serves the Deno example's handler for three clients on
 * 127.0.0.1 at a free port, and prints the port. Deno KV is in memory, seeded here:
 *   /plain   the payload stored as an object, read with `denoKvStore`;
 *   /chunked a payload over Deno KV's 64 KiB value limit, written with `putDenoKvPayload`;
 *   /poll    no KV: one poll of the loopback LaunchDarkly;
 *   /stats   what was read from KV, and what KV holds.
 */
import {
  denoKvStore,
  init,
  putDenoKvPayload,
  type DenoKvKey,
  type DenoKvWriter,
  type LDClient,
} from '../../../runtimes/deno/index.js';

declare const MOCK_URI: string;
declare const PAYLOAD: string;

interface Kv extends DenoKvWriter {
  set(key: DenoKvKey, value: unknown): Promise<unknown>;
  list(selector: { prefix: DenoKvKey }): AsyncIterable<{ key: DenoKvKey; value: unknown }>;
}

declare const Deno: {
  openKv(path?: string): Promise<Kv>;
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): unknown;
};

type Handler = (request: Request, info?: unknown) => Promise<Response>;

/** Flags nobody evaluates, to make the payload bigger than one Deno KV value. */
function filler(count: number): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = `filler-${i}-${'€'.repeat(20)}`;
    flags[key] = { key, version: 1, on: false, offVariation: 0, variations: [`${i}`.repeat(200)], salt: key };
  }
  return flags;
}

export async function start(createHandler: (client: LDClient) => Handler): Promise<void> {
  const kv = await Deno.openKv(':memory:');
  const kvGets: string[] = [];
  const counted = {
    get: (key: DenoKvKey) => {
      kvGets.push(key.join('/'));
      return kv.get(key);
    },
    list: (selector: { prefix: DenoKvKey }) => kv.list(selector),
  };

  const payload = JSON.parse(PAYLOAD) as { flags: Record<string, unknown>; segments: Record<string, unknown> };
  await kv.set(['ld', 'LD-Env-plain'], payload);
  const big = { flags: { ...filler(300), ...payload.flags }, segments: payload.segments };
  // Written twice, so the second write must replace the first one's chunks.
  await putDenoKvPayload(kv, 'LD-Env-chunked', { flags: filler(200), segments: {} }, ['ld']);
  await putDenoKvPayload(kv, 'LD-Env-chunked', big, ['ld']);

  const clients: Record<string, LDClient> = {
    plain: init('sdk-deno-plain', { kvStore: denoKvStore(counted, ['ld']), clientSideId: 'plain', eventsUri: MOCK_URI }),
    chunked: init('sdk-deno-chunked', { kvStore: denoKvStore(counted, ['ld']), clientSideId: 'chunked', eventsUri: MOCK_URI }),
    poll: init('sdk-deno-poll', { baseUri: MOCK_URI, eventsUri: MOCK_URI }),
  };
  const handlers = new Map(Object.entries(clients).map(([name, client]) => [`/${name}`, createHandler(client)]));

  Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening on ${port}`) },
    async (request, info) => {
      const path = new URL(request.url).pathname;
      if (path === '/stats') {
        const entries: string[] = [];
        for await (const entry of kv.list({ prefix: ['ld'] })) entries.push(entry.key.join('/'));
        return Response.json({ kvGets, entries, payloadBytes: JSON.stringify(big).length });
      }
      const handler = handlers.get(path);
      return handler === undefined ? new Response('not found', { status: 404 }) : handler(request, info);
    },
  );
}
