/** Raised inside the evaluator for flag data it cannot follow; it never reaches a caller. */
export class MalformedFlagError extends Error {
  override readonly name = 'MalformedFlagError';
}

/**
 * Throws a MalformedFlagError naming the bad field, for the log line about the flag. Errors met
 * while evaluating are only ever reported as MALFORMED_FLAG, so those name nothing.
 */
export function malformed(what = 'flag'): never {
  throw new MalformedFlagError(`bad ${what}`);
}
