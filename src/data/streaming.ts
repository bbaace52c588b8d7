/**
 * Streaming data source: LaunchDarkly's Server-Sent Events stream read through `fetch`, kept open
 * and reconnected with backoff. For long-lived processes only; it holds a connection and timers.
 */
import { createParser } from 'eventsource-parser';
import {
  fetchWithTimeout,
  HttpStatusError,
  isRecoverableStatus,
  joinUri,
  isTimeout,
  type HttpSettings,
} from '../http.js';
import type { LDLogger } from '../logging.js';
import { Backoff } from './backoff.js';
import type { DataSourceStatusSink } from './dataSourceStatus.js';
import { applyStreamMessage } from './streamMessages.js';
import type { DataSourceUpdates, LDDataSource } from './types.js';

export interface StreamingOptions {
  http: HttpSettings;
  streamUri: string;
  /** Payload filter key, sent as `?filter=`. */
  filter?: string;
  initialReconnectDelayMs: number;
  logger: LDLogger;
  /** Jitter source, `Math.random` unless given. */
  random?: () => number;
  maxReconnectDelayMs?: number;
  resetBackoffAfterMs?: number;
  /** Told of each put, failure and stop, for `dataSourceStatusProvider`. */
  status?: DataSourceStatusSink;
}

/** How one connection ended: try again after a delay, or never (closed, or refused for good). */
type Outcome = 'retry' | 'stop';

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node's fetch reports "fetch failed" and keeps the useful part in `cause`.
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}

export class StreamingDataSource implements LDDataSource {
  private readonly backoff: Backoff;
  private readonly url: string;
  private closed = false;
  private startPromise: Promise<void> | undefined;
  private resolveStart: (() => void) | undefined;
  private rejectStart: ((err: Error) => void) | undefined;
  /** Aborts whatever is in flight: the request, its body, or the wait before a retry. */
  private abort: AbortController | undefined;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: StreamingOptions) {
    this.url = joinUri(options.streamUri, '/all', options.filter);
    this.backoff = new Backoff({
      initialMs: options.initialReconnectDelayMs,
      maxMs: options.maxReconnectDelayMs ?? 30_000,
      resetAfterMs: options.resetBackoffAfterMs ?? 60_000,
      random: options.random,
    });
  }

  start(updates: DataSourceUpdates): Promise<void> {
    if (this.startPromise) return this.startPromise;
    this.startPromise = new Promise<void>((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    // Callers may drop the promise (closing early rejects it); that must not be an unhandled rejection.
    this.startPromise.catch(() => {});
    if (this.closed) this.settle(new Error('streaming data source was closed'));
    else void this.run(updates);
    return this.startPromise;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort?.abort();
    this.reader?.cancel().catch(() => {});
    this.reader = undefined;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.wakeUp?.();
    this.settle(new Error('streaming data source was closed'));
  }

  /** Resolves start's promise, or rejects it with `err`; only the first call counts. */
  private settle(err?: Error): void {
    const resolve = this.resolveStart;
    const reject = this.rejectStart;
    this.resolveStart = this.rejectStart = undefined;
    if (err) reject?.(err);
    else resolve?.();
  }

  private async run(updates: DataSourceUpdates): Promise<void> {
    const { logger } = this.options;
    while (!this.closed) {
      let outcome: Outcome;
      try {
        outcome = await this.connect(updates);
      } catch (err) {
        // Only a receiver that throws gets here; treat it like a broken connection.
        logger.warn(`Stream stopped unexpectedly: ${describe(err)}`);
        this.options.status?.interrupted('UNKNOWN', describe(err));
        outcome = 'retry';
      }
      this.reader = undefined;
      this.abort = undefined;
      if (outcome === 'stop' || this.closed) return;
      const delay = this.backoff.failed();
      logger.info(`Reconnecting to the stream in ${delay} ms`);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.wakeUp = undefined;
        resolve();
      }, ms);
    });
  }

  /** One connection, from request to its end. */
  private async connect(updates: DataSourceUpdates): Promise<Outcome> {
    const { http, logger } = this.options;
    const abort = new AbortController();
    this.abort = abort;

    let response: Response;
    try {
      const headers = { ...http.headers, Accept: 'text/event-stream' };
      // The request and its body both follow `abort`, which close() aborts.
      ({ response } = await fetchWithTimeout(
        http,
        this.url,
        { method: 'GET', headers },
        http.connectTimeoutMs,
        'stream connection',
        abort,
      ));
    } catch (err) {
      if (this.closed) return 'stop';
      logger.warn(`Stream connection failed: ${describe(err)}; will retry`);
      this.options.status?.interrupted('NETWORK_ERROR', describe(err));
      return 'retry';
    }
    if (this.closed) {
      abort.abort();
      return 'stop';
    }

    if (!response.ok || !response.body) {
      response.body?.cancel().catch(() => {});
      const status = response.status;
      if (response.ok) {
        logger.warn('Stream response had no body; will retry');
        this.options.status?.interrupted('UNKNOWN', 'stream response had no body');
        return 'retry';
      }
      if (isRecoverableStatus(status)) {
        logger.warn(`Stream connection failed with HTTP ${status}; will retry`);
        this.options.status?.interrupted('ERROR_RESPONSE', `HTTP ${status}`, status);
        return 'retry';
      }
      const err = new HttpStatusError(status, 'Stream connection');
      logger.error(`${err.message}; streaming has stopped for good`);
      this.options.status?.off('ERROR_RESPONSE', err.message, status);
      this.closed = true;
      this.settle(err);
      return 'stop';
    }

    this.backoff.connected();
    logger.debug(`Stream: connected to ${this.url}`);
    // The environment id arrives as a header; the data it belongs to follows in the stream.
    const environmentId = response.headers.get('X-LD-EnvID') ?? undefined;
    const scoped: DataSourceUpdates =
      environmentId === undefined
        ? updates
        : { init: (data) => updates.init(data, environmentId), upsert: (kind, key, item) => updates.upsert(kind, key, item) };
    return this.read(response.body, abort, scoped);
  }

  /** Reads events until the connection ends, goes silent, or sends something unusable. */
  private async read(
    body: ReadableStream<Uint8Array>,
    controller: AbortController,
    updates: DataSourceUpdates,
  ): Promise<Outcome> {
    const { http, logger } = this.options;
    const reader = body.getReader();
    this.reader = reader;
    const decoder = new TextDecoder();
    let broken: string | undefined;
    const parser = createParser({
      onEvent: (message) => {
        if (broken !== undefined || this.closed) return;
        try {
          const outcome = applyStreamMessage(message.event, message.data, updates);
          if (outcome.applied === 'put') {
            this.settle();
            this.options.status?.valid();
          }
          if (outcome.applied === 'ignored') logger.debug(`Stream: ignored ${outcome.reason}`);
          else logger.debug(`Stream: applied "${message.event}" (${message.data.length} bytes)`);
        } catch (err) {
          broken = describe(err);
        }
      },
    });

    const stop = () => {
      controller.abort();
      reader.cancel().catch(() => {});
    };
    for (;;) {
      // LaunchDarkly sends heartbeat comments, so a silent connection is a dead one.
      let silent = false;
      const timer = setTimeout(() => {
        silent = true;
        stop();
      }, http.readTimeoutMs);
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (this.closed) return 'stop';
        const why = silent || isTimeout(err) ? `no data for ${http.readTimeoutMs} ms` : describe(err);
        logger.warn(`Stream connection lost (${why}); will retry`);
        this.options.status?.interrupted('NETWORK_ERROR', `connection lost (${why})`);
        return 'retry';
      } finally {
        clearTimeout(timer);
      }
      if (this.closed) return 'stop';
      if (chunk.done) {
        // A timeout cancels the reader, which some fetch implementations report as a clean end.
        const why = silent ? `connection lost (no data for ${http.readTimeoutMs} ms)` : 'closed by the server';
        logger.warn(`Stream ${why}; will retry`);
        this.options.status?.interrupted('NETWORK_ERROR', why);
        return 'retry';
      }
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      if (this.closed) {
        stop();
        return 'stop';
      }
      if (broken !== undefined) {
        logger.warn(`Stream sent invalid data (${broken}); restarting the stream`);
        this.options.status?.interrupted('INVALID_DATA', broken);
        stop();
        return 'retry';
      }
    }
  }
}
