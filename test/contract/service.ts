/**
 * A test service for LaunchDarkly's SDK contract-test harness (sdk-test-harness): a small HTTP
 * server that creates ldedge clients on the harness's request and runs its commands on them.
 * The protocol is the harness's docs/service_spec.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basicLogger, init, type LDBigSegments, type LDClient, type LDLogLevel } from '../../src/index.js';
import { SDK_NAME, SDK_VERSION } from '../../src/version.js';
import { BadCommand, runCommand, type Command } from './commands.js';
import { persistentStore } from './persistentStore.js';
import { clientSetup, type HarnessConfig } from './sdkConfig.js';
import { CallbackQueue, makeTestHook, type HookParams } from './testHooks.js';

/** What ldedge does, in the harness's words; each one unlocks the harness's tests for it. */
export const CAPABILITIES = [
  'server-side',
  'server-side-polling',
  'strongly-typed',
  'all-flags-with-reasons',
  'all-flags-client-side-only',
  'all-flags-details-only-for-tracked-flags',
  'client-prereq-events',
  'user-type',
  'context-type',
  'context-comparison',
  'secure-mode-hash',
  'service-endpoints',
  'tags',
  'wrapper',
  'instance-id',
  'filtering',
  'filtering-strict',
  'polling-gzip',
  'event-sampling',
  'inline-context',
  'inline-context-all',
  'anonymous-redaction',
  'omit-anonymous-contexts',
  'evaluation-hooks',
  'track-hooks',
  'hook-environment-id',
  'big-segments',
  'persistent-data-store-redis',
  'persistent-data-store-dynamodb',
  'persistent-data-store-consul',
];

export interface ServiceOptions {
  port?: number;
  /** Log level of the clients' loggers; default `warn`. */
  logLevel?: LDLogLevel;
  /** Called after `DELETE /` has been answered and every client closed. */
  onStop?: () => void;
}

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

interface Entry {
  client: LDClient;
  callbacks: CallbackQueue;
  bigSegments: LDBigSegments | undefined;
  store: { close(): Promise<void> } | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'request body is not valid JSON'));
      }
    });
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(status, { 'Content-Type': type, ...headers }).end(text);
}

export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const clients = new Map<string, Entry>();
  let nextId = 1;

  const createClient = async (body: { tag?: string; configuration?: HarnessConfig }): Promise<string> => {
    const config = body.configuration;
    if (config === undefined || config === null || typeof config.credential !== 'string') {
      throw new HttpError(400, 'configuration.credential is required');
    }
    const callbacks = new CallbackQueue();
    const hooks = ((config.hooks?.hooks ?? []) as HookParams[]).map((h) => makeTestHook(h, callbacks));
    const setup = clientSetup(config, hooks);
    const logger = basicLogger(options.logLevel ?? 'warn', `[ldedge ${body.tag ?? ''}]`);
    let client: LDClient;
    let store: Entry['store'];
    try {
      const persistence = config.persistentDataStore;
      if (persistence) store = setup.options.featureStore = persistentStore(persistence, logger);
      client = init(setup.sdkKey, { ...setup.options, logger });
    } catch (err) {
      throw new HttpError(500, `client could not be created: ${(err as Error).message}`);
    }
    try {
      // Daemon mode has nothing to wait for: each evaluation prefetches what its flag needs, as
      // LaunchDarkly's SDKs read a store as each flag is evaluated.
      if (!setup.options.useLdd) await client.waitForInitialization({ timeout: setup.startWaitMs / 1000 });
    } catch (err) {
      if (!setup.initCanFail) {
        await client.close();
        await store?.close();
        throw new HttpError(500, `client did not initialise: ${(err as Error).message}`);
      }
    }
    const id = String(nextId++);
    clients.set(id, { client, callbacks, bigSegments: setup.bigSegments, store });
    return `/clients/${id}`;
  };

  const closeClient = async (id: string): Promise<void> => {
    const entry = clients.get(id);
    if (entry === undefined) throw new HttpError(404, `no client ${id}`);
    clients.delete(id);
    await entry.client.close();
    await entry.store?.close();
  };

  const closeAll = () => Promise.all([...clients.keys()].map((id) => closeClient(id).catch(() => {})));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (path === '/') {
      if (method === 'GET') {
        send(res, 200, { name: SDK_NAME, clientVersion: SDK_VERSION, capabilities: CAPABILITIES });
      } else if (method === 'POST') {
        const location = await createClient((await readJson(req)) as { configuration?: HarnessConfig });
        send(res, 201, undefined, { Location: location });
      } else if (method === 'DELETE') {
        send(res, 204);
        await closeAll();
        options.onStop?.();
      } else {
        send(res, 405);
      }
      return;
    }
    const match = /^\/clients\/(\d+)$/.exec(path);
    if (match === null) throw new HttpError(404, `no resource ${path}`);
    const id = match[1];
    if (method === 'DELETE') {
      await closeClient(id);
      send(res, 204);
      return;
    }
    if (method !== 'POST') throw new HttpError(405, `${method} is not supported on ${path}`);
    const entry = clients.get(id);
    if (entry === undefined) throw new HttpError(404, `no client ${id}`);
    const command = (await readJson(req)) as Command;
    if (typeof command?.command !== 'string') throw new HttpError(400, 'the body needs a "command"');
    let result: unknown;
    try {
      result = await runCommand(entry.client, command, entry.bigSegments);
    } catch (err) {
      if (err instanceof BadCommand) throw new HttpError(400, err.message);
      throw err;
    }
    send(res, result === undefined ? 204 : 200, result);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!(err instanceof HttpError)) console.error(`[contract service] ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent) send(res, status, (err as Error).message ?? String(err));
    });
  });
  // The harness polls the status resource with keep-alive connections.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: async () => {
      await closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
