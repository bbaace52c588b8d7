/**
 * Retry delays for background data sources: exponential backoff with jitter, so that many
 * clients losing the same connection do not all come back at the same instant.
 */

/**
 * The delay before retry number `attempt` (0 for the first retry): `initialMs * 2^attempt`,
 * capped at `maxMs`, then jittered down to between 50% and 100% of that. `random` returns a
 * number in [0, 1), like `Math.random`.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  // The exponent is bounded so that a long outage cannot overflow to Infinity.
  const base = Math.min(initialMs * 2 ** Math.min(Math.max(attempt, 0), 30), maxMs);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(base - (base / 2) * r);
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A connection that stays up this long counts as healthy: the next failure starts over. */
  resetAfterMs: number;
  random?: () => number;
  now?: () => number;
}

/** Tracks consecutive failures of one connection and says how long to wait before each retry. */
export class Backoff {
  private attempt = 0;
  private connectedAt: number | undefined;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Call when a connection succeeds; how long it then lasts decides whether backoff resets. */
  connected(): void {
    this.connectedAt = this.now();
  }

  /** Call when a connection fails or ends; returns the delay before the next try. */
  failed(): number {
    if (this.connectedAt !== undefined && this.now() - this.connectedAt >= this.options.resetAfterMs) {
      this.attempt = 0;
    }
    this.connectedAt = undefined;
    const { initialMs, maxMs } = this.options;
    return backoffDelay(this.attempt++, initialMs, maxMs, this.random);
  }
}
