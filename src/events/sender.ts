/**
 * Delivery of analytics event payloads. The default sender posts to LaunchDarkly's bulk endpoint;
 * a custom one can be plugged in through the `eventSender` option.
 */
import { describeError } from '../util/errors.js';
import {
  fetchWithTimeout,
  isRecoverableStatus,
  joinUri,
  type HttpSettings,
} from '../http.js';

/** How one delivery attempt ended. */
export interface EventSendResult {
  /**
   * `success` (2xx), `retry` (network error, timeout, 5xx, 400, 408, 429), `drop` (413: this
   * payload is refused, later ones may not be) or `stop` (any other 4xx, e.g. a bad SDK key).
   */
  readonly outcome: 'success' | 'retry' | 'drop' | 'stop';
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** The server's `Date` header in epoch milliseconds; ignored unless a finite number. */
  readonly serverTime?: number;
  /** What went wrong, for logs; without it, the status is logged. */
  readonly error?: string;
}

export interface LDEventSender {
  /**
   * Sends one JSON payload of events. `payloadId` is the same on the retry of a payload, so the
   * server can drop a duplicate. Resolves with the outcome; never rejects.
   */
  sendEvents(payload: string, payloadId: string): Promise<EventSendResult>;
}

/** The outcome LaunchDarkly's event service means by an HTTP status. */
export function outcomeForStatus(status: number): EventSendResult['outcome'] {
  if (status >= 200 && status < 300) return 'success';
  if (status === 413) return 'drop';
  return isRecoverableStatus(status) ? 'retry' : 'stop';
}

/** Posts payloads to `{eventsUri}/bulk`, each attempt bounded by the connect and read timeouts. */
export class DefaultEventSender implements LDEventSender {
  readonly #http: HttpSettings;
  readonly #uri: string;
  readonly #gzip: boolean;

  /** `gzip` compresses payloads (`Content-Encoding: gzip`) where the host can. */
  constructor(http: HttpSettings, eventsUri: string, gzip: boolean) {
    this.#http = http;
    this.#uri = joinUri(eventsUri, '/bulk');
    this.#gzip = gzip;
  }

  async sendEvents(payload: string, payloadId: string): Promise<EventSendResult> {
    const http = this.#http;
    // The response headers get the whole budget; the body read gets what is left of it.
    const budgetMs = http.connectTimeoutMs + http.readTimeoutMs;
    const deadline = Date.now() + budgetMs;
    try {
      const headers: Record<string, string> = {
        ...http.headers,
        'Content-Type': 'application/json',
        'X-LaunchDarkly-Event-Schema': '4',
        'X-LaunchDarkly-Payload-ID': payloadId,
      };
      let body: string | ArrayBuffer = payload;
      if (this.#gzip) {
        try {
          body = await new Response(new Response(payload).body!.pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
          headers['Content-Encoding'] = 'gzip';
        } catch {
          // Sent uncompressed (also where there is no `CompressionStream`): a larger request beats a
          // lost one.
        }
      }
      const { response, text } = await fetchWithTimeout(
        http,
        this.#uri,
        { method: 'POST', headers, body },
        budgetMs,
        'event delivery',
      );
      // Reading the (normally empty) body lets the connection be reused and frees it on hosts
      // that complain about unread bodies; its content does not matter, the status is known.
      await text(Math.max(1, deadline - Date.now())).catch(() => {});
      const status = response.status;
      // No `error`: the status describes a failure.
      // NaN without a `Date` header: the processor ignores it.
      return { outcome: outcomeForStatus(status), status, serverTime: Date.parse(response.headers.get('date') ?? '') };
    } catch (err) {
      return { outcome: 'retry', error: describeError(err) };
    }
  }
}
