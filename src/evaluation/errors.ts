/** Raised inside the evaluator for flag data it cannot follow; it never reaches a caller. */
// Only its message is ever shown (in the log line naming the flag), so it keeps Error's name.
export class MalformedFlagError extends Error {}

/**
 * Throws a MalformedFlagError naming the bad field, for the log line about the flag. Errors met
 * while evaluating are only ever reported as MALFORMED_FLAG, so those name nothing.
 */
export function malformed(what = 'flag'): never {
  throw new MalformedFlagError(`bad ${what}`);
}
