/**
 * Delivery of analytics event payloads. The default sender posts to LaunchDarkly's bulk endpoint;
 * a custom one can be plugged in through the `eventSender` option.
 */

/** How one delivery attempt ended. */
export interface EventSendResult {
  /** `success` (2xx), `retry` (network error, 5xx, 400, 408, 429) or `stop` (any other 4xx). */
  readonly outcome: 'success' | 'retry' | 'stop';
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** The server's `Date` header in epoch milliseconds, when present. */
  readonly serverTime?: number;
}

export interface LDEventSender {
  /**
   * Sends one JSON payload of events. `payloadId` is the same on the retry of a payload, so the
   * server can drop a duplicate. Resolves with the outcome; never rejects.
   */
  sendEvents(payload: string, payloadId: string): Promise<EventSendResult>;
}
