/**
 * Percentage bucketing: SHA-1 of `<prefix><value>` where the prefix is `<flag key>.<salt>.` or
 * `<seed>.`, scaled to [0, 1).
 */
import type { Context } from '../context.js';
import { bucketFraction } from '../crypto/sha1.js';
import { malformed } from './errors.js';
import type { AttributeRef } from '../attributeRef.js';

/** What a rollout or weighted segment rule hashes: a context kind's attribute, after a prefix. */
export interface Bucketing {
  readonly contextKind: string;
  readonly ref: AttributeRef;
  readonly prefix: string;
}

export function bucketPrefix(key: string, salt: unknown, seed: unknown): string {
  if (Number.isInteger(seed)) return `${seed as number}.`;
  return `${key}.${typeof salt === 'string' ? salt : ''}.`;
}

/**
 * The context's bucket in [0, 1): 0 when the bucketing attribute is missing or not a string or
 * integer, undefined when the context has no member of the kind.
 */
export function bucketContext(context: Context, by: Bucketing): number | undefined {
  if (!by.ref.valid) malformed();
  const member = context.forKind(by.contextKind);
  if (member === undefined) return undefined;
  const value = member.valueOf(by.ref);
  return typeof value === 'string' || Number.isInteger(value)
    ? bucketFraction(by.prefix + (value as string))
    : 0;
}
