/**
 * A background polling loop for long-lived processes: polls at a fixed interval and delivers each
 * changed data set. Never started unless `pollInterval` is set.
 */
import { HttpStatusError, isRecoverableStatus, isTimeout } from '../http.js';
import type { LDLogger } from '../logging.js';
import type { DataSourceStatusSink } from './dataSourceStatus.js';
import { describeData } from './describeData.js';
import type { PollingLoader } from './pollLoader.js';
import type { DataSourceUpdates, LDDataSource } from './types.js';

/** A failure to reach the service (fetch's TypeError, a timeout), rather than an answer that could not be used. */
function unreachable(err: unknown): boolean {
  return err instanceof TypeError || isTimeout(err) || (err as Error)?.name === 'AbortError';
}

export class PollingDataSource implements LDDataSource {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Cancels the poll in flight; one per poll, since a poll's timeout aborts it too. */
  private abort: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly loader: PollingLoader,
    private readonly intervalMs: number,
    private readonly logger: LDLogger,
    /** Told of each poll's outcome, for `dataSourceStatusProvider`. */
    private readonly status?: DataSourceStatusSink,
  ) {}

  start(updates: DataSourceUpdates): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const poll = async (): Promise<void> => {
        this.timer = undefined;
        try {
          const data = await this.loader.load((this.abort = new AbortController()));
          if (this.closed) return;
          if (data !== undefined) updates.init(data, this.loader.environmentId);
          this.logger.debug(data === undefined ? 'poll: flags unchanged (HTTP 304)' : `poll: loaded ${describeData(data)}`);
          this.status?.valid();
          resolve();
        } catch (err) {
          if (this.closed) return;
          if (err instanceof HttpStatusError && !isRecoverableStatus(err.status)) {
            this.logger.error(`${err.message}; polling stopped for good`);
            this.status?.off('ERROR_RESPONSE', err.message, err.status);
            this.closed = true;
            reject(err);
            return;
          }
          this.logger.warn(`poll failed, will retry in ${this.intervalMs / 1000} s: ${(err as Error).message}`);
          if (err instanceof HttpStatusError) this.status?.interrupted('ERROR_RESPONSE', err.message, err.status);
          else this.status?.interrupted(unreachable(err) ? 'NETWORK_ERROR' : 'INVALID_DATA', (err as Error).message);
        }
        if (!this.closed) this.timer = setTimeout(poll, this.intervalMs);
      };
      void poll();
    });
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
