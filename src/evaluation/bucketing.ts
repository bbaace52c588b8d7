/**
 * Percentage bucketing: SHA-1 of `<prefix><value>` where the prefix is `<flag key>.<salt>.` or
 * `<seed>.`, scaled to [0, 1).
 */
import type { AttributeRef } from '../attributeRef.js';
import type { Context } from '../context.js';
import { bucketFraction } from '../crypto/sha1.js';

/** Returned when the context has no member of the rollout's kind. */
export const NO_CONTEXT_OF_KIND = -1;

export function bucketPrefix(key: string, salt: unknown, seed: unknown): string {
  if (typeof seed === 'number' && Number.isInteger(seed)) return `${seed}.`;
  return `${key}.${typeof salt === 'string' ? salt : ''}.`;
}

/**
 * The context's bucket in [0, 1), 0 when the bucketing attribute is missing or not a string or
 * integer, or NO_CONTEXT_OF_KIND.
 */
export function bucketContext(
  context: Context,
  kind: string,
  ref: AttributeRef,
  prefix: string,
): number {
  const member = context.forKind(kind);
  if (member === undefined) return NO_CONTEXT_OF_KIND;
  const value = member.valueOf(ref);
  let id: string;
  if (typeof value === 'string') id = value;
  else if (typeof value === 'number' && Number.isInteger(value)) id = String(value);
  else return 0;
  return bucketFraction(prefix + id);
}
