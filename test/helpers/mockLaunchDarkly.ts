/**
 * A loopback stand-in for LaunchDarkly's service, for data-source and event tests.
 *
 *   const ld = await startMockLaunchDarkly();
 *   ld.polling.setData({ flags, segments });       // GET  /sdk/latest-all (ETag / 304)
 *   ld.streams.setData({ flags, segments });       // GET  /all: a put on every new connection
 *   ld.streams.patch('flags', 'f', { key: 'f', version: 2, ... });
 *   ld.events.respondWith(503, 202);               // POST /bulk, /diagnostic
 *   ld.requests                                     // every request: method, path, headers, body
 *   await ld.close();
 *
 * Point an SDK's base, stream and events URIs all at `ld.baseUri`. Header names in recorded
 * requests are lower case, as Node reports them. Every failure mode is opt-in and applies to the
 * next N requests only, so a test says exactly how many attempts should fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/sdk/latest-all`. */
  readonly path: string;
  /** Path with the query string. */
  readonly url: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** `performance.now()` when the request (headers and body) had arrived. */
  readonly time: number;
}

/** What the next connection or request gets instead of a normal answer. */
type Plan =
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'silent' };

/** A queue of plans, each used for a given number of requests. */
class Plans {
  private readonly queue: Plan[] = [];

  add(plan: Plan, count: number): void {
    for (let i = 0; i < count; i++) this.queue.push(plan);
  }

  next(): Plan | undefined {
    return this.queue.shift();
  }

  clear(): void {
    this.queue.length = 0;
  }
}

export interface StreamTarget {
  /** `all` open streams (the default) or only the most recently opened one. */
  to?: 'all' | 'latest';
}

/** `GET /sdk/latest-all`. */
export class PollingEndpoint {
  /** The body served with 200; `setData` or `setBody` change it. */
  body = '{"flags":{},"segments":{}}';
  /** Served as `ETag`, and compared with `If-None-Match` to answer 304. Null: no ETag. */
  etag: string | null = '"v0"';
  /** Delay before every answer. */
  delayMs = 0;
  private version = 0;
  /** @internal */ readonly plans = new Plans();

  /** Serves `data` as JSON with a fresh ETag. */
  setData(data: unknown): void {
    this.setBody(JSON.stringify(data), `"v${++this.version}"`);
  }

  /** Serves text as it is (malformed JSON, say), with the given ETag or none. */
  setBody(text: string, etag: string | null = null): void {
    this.body = text;
    this.etag = etag;
  }

  /** The next `count` requests are answered with `status` (and `body`, if given). */
  failNext(status: number, count = 1, body?: string): void {
    this.plans.add({ kind: 'status', status, body }, count);
  }

  /** The next `count` requests are never answered. */
  hangNext(count = 1): void {
    this.plans.add({ kind: 'hang' }, count);
  }
}

interface OpenStream {
  readonly res: ServerResponse;
  readonly id: number;
}

/** `GET /all`. */
export class StreamingEndpoint {
  /** Sent as a `put` to every new connection, as LaunchDarkly does; undefined sends nothing. */
  data: unknown = undefined;
  /** Connection attempts so far, whatever they were answered with. */
  connections = 0;
  /** @internal */ readonly plans = new Plans();
  /** @internal */ readonly open: OpenStream[] = [];

  /** Number of streams currently open (200 sent, not yet ended). */
  get openCount(): number {
    return this.open.length;
  }

  setData(data: unknown): void {
    this.data = data;
  }

  /** The next `count` connection attempts are answered with `status`. */
  failNext(status: number, count = 1): void {
    this.plans.add({ kind: 'status', status }, count);
  }

  /** The next `count` connection attempts never get response headers. */
  hangNext(count = 1): void {
    this.plans.add({ kind: 'hang' }, count);
  }

  /** The next `count` connections get 200 and headers, then never a byte (not even the put). */
  silenceNext(count = 1): void {
    this.plans.add({ kind: 'silent' }, count);
  }

  /** Sends an event whose data is `data` (objects are JSON-encoded). Returns how many streams got it. */
  send(event: string, data: unknown, target?: StreamTarget): number {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const lines = text.split('\n').map((line) => `data: ${line}\n`).join('');
    return this.raw(`event: ${event}\n${lines}\n`, target);
  }

  put(data: unknown, target?: StreamTarget): number {
    return this.send('put', { path: '/', data }, target);
  }

  patch(kind: 'flags' | 'segments', key: string, item: unknown, target?: StreamTarget): number {
    return this.send('patch', { path: `/${kind}/${key}`, data: item }, target);
  }

  delete(kind: 'flags' | 'segments', key: string, version: number, target?: StreamTarget): number {
    return this.send('delete', { path: `/${kind}/${key}`, version }, target);
  }

  /** An SSE comment, as LaunchDarkly's heartbeats are. */
  comment(text = ''): number {
    return this.raw(`:${text}\n`);
  }

  /** Writes text as it is; anything SSE or not. */
  raw(text: string, target?: StreamTarget): number {
    const streams = this.targets(target);
    for (const s of streams) s.res.write(text);
    return streams.length;
  }

  /** Ends streams cleanly from the server side (the client sees end of body). */
  end(target?: StreamTarget): number {
    const streams = this.targets(target);
    for (const s of streams) s.res.end();
    return streams.length;
  }

  /** Destroys streams' sockets abruptly (the client sees a network error). */
  drop(target?: StreamTarget): number {
    const streams = this.targets(target);
    for (const s of streams) s.res.socket?.destroy();
    return streams.length;
  }

  private targets(target?: StreamTarget): OpenStream[] {
    if (target?.to === 'latest') return this.open.length > 0 ? [this.open[this.open.length - 1]] : [];
    return [...this.open];
  }
}

export interface RecordedPayload {
  /** `/bulk` or `/diagnostic`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body parsed as JSON, or undefined if it is not JSON. */
  readonly json: unknown;
  /** The status it was answered with. */
  readonly status: number;
}

/** `POST /bulk` and `POST /diagnostic`. */
export class EventsEndpoint {
  /** Every payload received, in order, whatever it was answered with. */
  readonly payloads: RecordedPayload[] = [];
  /** Delay before every answer. */
  delayMs = 0;
  /** Status once the queued ones are used up. */
  defaultStatus = 202;
  private readonly statuses: number[] = [];

  /** Answers the next requests with these statuses in order, then with `defaultStatus`. */
  respondWith(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  /** Payloads sent to `/bulk`, parsed. */
  get bulk(): unknown[] {
    return this.payloads.filter((p) => p.path === '/bulk').map((p) => p.json);
  }

  /** @internal */
  nextStatus(): number {
    return this.statuses.shift() ?? this.defaultStatus;
  }
}

export interface MockLaunchDarklyOptions {
  /** When set, requests whose `Authorization` differs get 401. */
  sdkKey?: string;
}

export interface MockLaunchDarkly {
  /** `http://127.0.0.1:<port>`, for base, stream and events URIs alike. */
  readonly baseUri: string;
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests to one path (query string ignored). */
  requestsTo(path: string): RecordedRequest[];
  readonly polling: PollingEndpoint;
  readonly streams: StreamingEndpoint;
  readonly events: EventsEndpoint;
  /** Ends every open connection, hung ones included, and stops listening. */
  close(): Promise<void>;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export async function startMockLaunchDarkly(options: MockLaunchDarklyOptions = {}): Promise<MockLaunchDarkly> {
  const requests: RecordedRequest[] = [];
  const polling = new PollingEndpoint();
  const streams = new StreamingEndpoint();
  const events = new EventsEndpoint();
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let nextStreamId = 0;
  let closing = false;

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closing) fn();
    }, ms);
    timers.add(timer);
  };

  const handlePoll = (req: RecordedRequest, res: ServerResponse) => {
    const plan = polling.plans.next();
    if (plan?.kind === 'hang') return;
    later(polling.delayMs, () => {
      if (plan?.kind === 'status') {
        res.writeHead(plan.status, { 'Content-Type': 'application/json' }).end(plan.body ?? '');
        return;
      }
      const etag = polling.etag;
      if (etag !== null && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag }).end();
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (etag !== null) headers.ETag = etag;
      res.writeHead(200, headers).end(polling.body);
    });
  };

  const handleStream = (res: ServerResponse) => {
    streams.connections++;
    const plan = streams.plans.next();
    if (plan?.kind === 'hang') return;
    if (plan?.kind === 'status') {
      res.writeHead(plan.status).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    const entry: OpenStream = { res, id: nextStreamId++ };
    streams.open.push(entry);
    res.on('close', () => {
      const i = streams.open.indexOf(entry);
      if (i >= 0) streams.open.splice(i, 1);
    });
    if (plan?.kind !== 'silent' && streams.data !== undefined) {
      streams.put(streams.data, { to: 'latest' });
    }
  };

  const handleEvents = (req: RecordedRequest, res: ServerResponse) => {
    const status = events.nextStatus();
    let json: unknown;
    try {
      json = JSON.parse(req.body);
    } catch {
      json = undefined;
    }
    events.payloads.push({ path: req.path, headers: req.headers, body: req.body, json, status });
    later(events.delayMs, () => res.writeHead(status).end());
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.split('?')[0],
        url,
        headers: flatHeaders(req),
        body: Buffer.concat(chunks).toString('utf8'),
        time: performance.now(),
      };
      requests.push(recorded);
      const route = `${recorded.method} ${recorded.path}`;
      if (options.sdkKey !== undefined && recorded.headers.authorization !== options.sdkKey) {
        if (route === 'GET /all') streams.connections++;
        res.writeHead(401).end();
        return;
      }
      if (route === 'GET /sdk/latest-all') handlePoll(recorded, res);
      else if (route === 'GET /all') handleStream(res);
      else if (route === 'POST /bulk' || route === 'POST /diagnostic') handleEvents(recorded, res);
      else res.writeHead(404).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUri: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    polling,
    streams,
    events,
    close: async () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Waits until `condition` holds, checking every few milliseconds. The deadline is generous so a
 * loaded machine does not fail a test that is merely slow; it throws naming `what` when reached.
 */
export async function waitFor(
  condition: () => boolean,
  what = 'condition',
  { timeoutMs = 5000, intervalMs = 5 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms`; for checking that nothing more happens during a quiet period. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
