/** Raised inside the evaluator for flag data it cannot follow; it never reaches a caller. */
export class MalformedFlagError extends Error {
  override readonly name = 'MalformedFlagError';
}
