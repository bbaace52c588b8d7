/**
 * Errors as programs and logs see them: load failures a program can branch on carry a `code`,
 * and where they wrap another error, that error as their `cause`.
 */

/**
 * Why flag data could not be loaded:
 * - `ERROR_RESPONSE`: LaunchDarkly (or the relay) answered an error status, in `status`;
 * - `TIMEOUT`: no answer (or no flags) within the connect, read or wait timeout;
 * - `NETWORK_ERROR`: the request never got an answer (DNS, refused connection, TLS), the host's own
 *   error in `cause`;
 * - `INVALID_DATA`: the body, KV entry or store item is not a usable data set (a body that is not
 *   UTF-8 fails with the decoder's own error, without a code);
 * - `MISSING_ENTRY`: the KV store or Edge Config has no entry under the key.
 */
export type LDLoadErrorCode = 'ERROR_RESPONSE' | 'TIMEOUT' | 'NETWORK_ERROR' | 'INVALID_DATA' | 'MISSING_ENTRY';

/** What `waitForInitialization` rejects with when no flags could be loaded. */
export interface LDLoadError extends Error {
  /** Undefined when a custom loader failed with an error of its own. */
  readonly code?: LDLoadErrorCode;
  /** The HTTP status, with `ERROR_RESPONSE`. */
  readonly status?: number;
  readonly cause?: unknown;
}

/** An Error carrying `code` (and `cause`, `status`). */
export function loadError(message: string, code: LDLoadErrorCode | undefined, cause?: unknown, status?: number): LDLoadError {
  return Object.assign(new Error(message, { cause }), { code, status });
}

/** An error's message followed by its cause's, which a bare `fetch failed` would hide. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}
