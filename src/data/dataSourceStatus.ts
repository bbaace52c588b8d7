/**
 * The data source status of long-lived clients, in the terms of LaunchDarkly's server SDKs: a
 * state (INITIALIZING, VALID, INTERRUPTED, OFF), since when, and the last error, with listeners
 * told of each change. Streaming and the polling loop report to it; the edge bundles never load it.
 */
import type { LDLogger } from '../logging.js';

export type LDDataSourceState = 'INITIALIZING' | 'VALID' | 'INTERRUPTED' | 'OFF';

/**
 * What went wrong: the service could not be reached (`NETWORK_ERROR`), answered with an HTTP error
 * (`ERROR_RESPONSE`, with `statusCode`), or sent data that could not be used (`INVALID_DATA`).
 */
export type LDDataSourceErrorKind = 'NETWORK_ERROR' | 'ERROR_RESPONSE' | 'INVALID_DATA' | 'UNKNOWN';

export interface LDDataSourceErrorInfo {
  readonly kind: LDDataSourceErrorKind;
  readonly statusCode?: number;
  readonly message: string;
  /** When it happened (epoch ms). */
  readonly time: number;
}

export interface LDDataSourceStatus {
  readonly state: LDDataSourceState;
  /** When the state last changed (epoch ms). */
  readonly stateSince: number;
  /** The last error, kept after the source recovers. */
  readonly lastError: LDDataSourceErrorInfo | undefined;
}

export type LDDataSourceStatusListener = (status: LDDataSourceStatus) => void;

/** `client.dataSourceStatusProvider`. */
export interface LDDataSourceStatusProvider {
  getStatus(): LDDataSourceStatus;
  /** Called with the new status each time the state changes or an error is recorded. */
  addListener(listener: LDDataSourceStatusListener): void;
  removeListener(listener: LDDataSourceStatusListener): void;
}

/** How a data source reports what happens to it. */
export interface DataSourceStatusSink {
  /** Data arrived (a stream's `put`, a poll's answer, a `304`). */
  valid(): void;
  /** A failure it will retry after. */
  interrupted(kind: LDDataSourceErrorKind, message: string, statusCode?: number): void;
  /** It stopped for good: refused (with the error) or closed. */
  off(kind?: LDDataSourceErrorKind, message?: string, statusCode?: number): void;
}

export class DataSourceStatusTracker implements LDDataSourceStatusProvider, DataSourceStatusSink {
  #status: LDDataSourceStatus = { state: 'INITIALIZING', stateSince: Date.now(), lastError: undefined };
  readonly #listeners = new Set<LDDataSourceStatusListener>();
  /** Set once the client is made; listener failures are logged through it. */
  logger: LDLogger | undefined;

  getStatus(): LDDataSourceStatus {
    return this.#status;
  }

  addListener(listener: LDDataSourceStatusListener): void {
    this.#listeners.add(listener);
  }

  removeListener(listener: LDDataSourceStatusListener): void {
    this.#listeners.delete(listener);
  }

  valid(): void {
    this.#set('VALID');
  }

  interrupted(kind: LDDataSourceErrorKind, message: string, statusCode?: number): void {
    // As in LaunchDarkly's SDKs, a source that has never had data stays INITIALIZING while it retries.
    this.#set(this.#status.state === 'INITIALIZING' ? 'INITIALIZING' : 'INTERRUPTED', { kind, message, statusCode, time: Date.now() });
  }

  off(kind?: LDDataSourceErrorKind, message?: string, statusCode?: number): void {
    this.#set('OFF', kind === undefined || message === undefined ? undefined : { kind, message, statusCode, time: Date.now() });
  }

  #set(state: LDDataSourceState, error?: LDDataSourceErrorInfo): void {
    const old = this.#status;
    if (old.state === 'OFF') return; // closed or refused for good: nothing comes back from there
    if (old.state === state && error === undefined) return;
    this.#status = {
      state,
      stateSince: old.state === state ? old.stateSince : Date.now(),
      lastError: error ?? old.lastError,
    };
    const status = this.#status;
    for (const listener of [...this.#listeners]) {
      try {
        listener(status);
      } catch (err) {
        this.logger?.error(`a data source status listener threw: ${(err as Error).message}`);
      }
    }
  }
}
