/**
 * Loopback stand-ins for the two REST APIs the sync writes through, each answering as its
 * documentation says (paths, Bearer auth, bodies, status codes and error envelopes):
 *
 * - Cloudflare's Workers KV API: `PUT`/`GET .../accounts/{a}/storage/kv/namespaces/{n}/values/{key}`,
 *   the value as the raw body, answers in `{ success, errors, messages, result }`.
 * - Vercel's Edge Config API: `PATCH /v1/edge-config/{id}/items` with `{ items: [{ operation, key,
 *   value }] }` (applied all or nothing; keys `^[\w-]+$`), `GET /v1/edge-config/{id}/item/{key}`
 *   and `GET /v1/edge-config/{id}/items`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly uri: string;
  /** Successful writes (one per PUT or PATCH). */
  writes: number;
  /** The next `n` writes are answered with HTTP 500 and change nothing. */
  failWrites: number;
  /** Every request's method and URL, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

async function listen(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ uri: string; close(): Promise<void>; requests: string[] }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      handle(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export interface CloudflareApiServer extends RestServer {
  /** The namespace's values by key. */
  readonly values: Map<string, string>;
}

/** Cloudflare's API for one account and one KV namespace, with one API token. */
export async function startCloudflareApi(account: string, namespace: string, token: string): Promise<CloudflareApiServer> {
  const values = new Map<string, string>();
  const cfError = (res: ServerResponse, status: number, code: number, message: string) =>
    json(res, status, { success: false, errors: [{ code, message }], messages: [], result: null });
  const state = {
    values,
    writes: 0,
    failWrites: 0,
  };
  const base = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/client\/v4\/accounts\/([^/]+)\/storage\/kv\/namespaces\/([^/]+)\/values\/([^/]+)$/.exec(url.pathname);
    if (req.headers.authorization !== `Bearer ${token}`) return cfError(res, 403, 10000, 'Authentication error');
    if (!match) return cfError(res, 404, 7003, 'Could not route to the requested resource');
    if (decodeURIComponent(match[1]) !== account || decodeURIComponent(match[2]) !== namespace) {
      return cfError(res, 404, 10013, 'namespace not found');
    }
    const key = decodeURIComponent(match[3]);
    if (req.method === 'GET') {
      const value = values.get(key);
      if (value === undefined) return cfError(res, 404, 10009, "get: 'key not found'");
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(value);
      return;
    }
    if (req.method === 'PUT') {
      if (state.failWrites > 0) {
        state.failWrites--;
        return cfError(res, 500, 10001, 'service temporarily unavailable');
      }
      values.set(key, body);
      state.writes++;
      return json(res, 200, { success: true, errors: [], messages: [], result: {} });
    }
    cfError(res, 405, 10000, 'method not allowed');
  });
  return Object.assign(state, { uri: base.uri, requests: base.requests, close: base.close });
}

export interface EdgeConfigItem {
  key: string;
  value: unknown;
  edgeConfigId: string;
  createdAt: number;
  updatedAt: number;
}

export interface VercelApiServer extends RestServer {
  readonly items: Map<string, EdgeConfigItem>;
}

/** Vercel's API for one Edge Config of one team, with one access token. */
export async function startVercelApi(edgeConfigId: string, teamId: string, token: string): Promise<VercelApiServer> {
  const items = new Map<string, EdgeConfigItem>();
  const fail = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });
  const state = { items, writes: 0, failWrites: 0 };
  const base = await listen((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 403, 'forbidden', 'Not authorized');
    const match = /^\/v1\/edge-config\/([^/]+)\/(items|item\/([^/]+))$/.exec(url.pathname);
    if (!match || url.searchParams.get('teamId') !== teamId) return fail(res, 404, 'not_found', 'The requested resource was not found');
    if (match[1] !== edgeConfigId) return fail(res, 404, 'not_found', 'Edge Config not found');
    if (req.method === 'GET' && match[3] !== undefined) {
      const item = items.get(decodeURIComponent(match[3]));
      return item ? json(res, 200, item) : fail(res, 404, 'not_found', 'Item not found');
    }
    if (req.method === 'GET') return json(res, 200, [...items.values()]);
    if (req.method !== 'PATCH' || match[2] !== 'items') return fail(res, 405, 'method_not_allowed', 'Method not allowed');
    if (req.headers['content-type']?.split(';')[0] !== 'application/json') return fail(res, 400, 'bad_request', 'Expected JSON');
    let changes: Array<{ operation?: string; key?: unknown; value?: unknown }>;
    try {
      changes = (JSON.parse(body) as { items: typeof changes }).items;
      if (!Array.isArray(changes)) throw new Error('items');
    } catch {
      return fail(res, 400, 'bad_request', 'Invalid request body: "items" must be an array');
    }
    // All checked before any is applied: a batch changes everything or nothing.
    for (const change of changes) {
      if (typeof change.key !== 'string' || !/^[\w-]+$/.test(change.key) || change.key.length > 256) {
        return fail(res, 400, 'bad_request', `Invalid key ${JSON.stringify(change.key)}`);
      }
      if (!['create', 'update', 'upsert', 'delete'].includes(change.operation ?? '')) {
        return fail(res, 400, 'bad_request', `Invalid operation ${JSON.stringify(change.operation)}`);
      }
      if (change.operation === 'create' && items.has(change.key)) return fail(res, 409, 'conflict', `Item ${change.key} exists`);
      if (change.operation === 'update' && !items.has(change.key)) return fail(res, 404, 'not_found', `Item ${change.key} not found`);
      if (change.operation !== 'delete' && change.value === undefined) return fail(res, 400, 'bad_request', 'Missing value');
    }
    if (state.failWrites > 0) {
      state.failWrites--;
      return fail(res, 500, 'internal_server_error', 'An unexpected error occurred');
    }
    const now = Date.now();
    for (const { operation, key, value } of changes as Array<{ operation: string; key: string; value: unknown }>) {
      if (operation === 'delete') items.delete(key);
      else items.set(key, { key, value, edgeConfigId, createdAt: items.get(key)?.createdAt ?? now, updatedAt: now });
    }
    state.writes++;
    json(res, 200, { status: 'ok' });
  });
  return Object.assign(state, { uri: base.uri, requests: base.requests, close: base.close });
}
