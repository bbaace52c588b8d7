/**
 * Which contexts have been described to LaunchDarkly recently: an LRU of canonical keys, forgotten
 * entirely once per interval. The interval is checked when the set is used rather than by a
 * timer, because serverless hosts freeze between invocations and a timer there is meaningless.
 */
import type { Context } from '../context.js';

export class ContextDeduplicator {
  /** Insertion order is recency order: the first key is the least recently seen. */
  readonly #keys = new Set<string>();
  readonly #capacity: number;
  readonly #intervalMs: number;
  /**
   * Yields the least recent key: a live iterator skips the keys already deleted once, where a new
   * one would rescan them from the start on every eviction.
   */
  #oldest: Iterator<string> | undefined;
  #windowStart: number;
  #last: Context | undefined;

  constructor(capacity: number, intervalMs: number, now: number) {
    this.#capacity = capacity;
    this.#intervalMs = intervalMs;
    this.#windowStart = now;
  }

  /** Records the context as seen at `now`; true when its key had not been seen in this window. */
  notice(context: Context, now: number): boolean {
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#keys.clear();
      this.#oldest = this.#last = undefined;
      this.#windowStart = now;
    }
    // A request evaluates many flags for one context, which is then already the most recent.
    const last = this.#last;
    if (last !== undefined && sameKeys(context, last)) return false;
    this.#last = context;
    const keys = this.#keys;
    const key = context.canonicalKey;
    const seen = keys.delete(key);
    if (!seen && keys.size >= this.#capacity) {
      keys.delete((this.#oldest ??= keys.values()).next().value as string);
    }
    keys.add(key);
    return !seen;
  }
}

/** Whether two contexts have the same kinds and keys, so the same canonical key. */
function sameKeys(a: Context, b: Context): boolean {
  const others = b.contexts;
  return (
    a.contexts.length === others.length &&
    a.contexts.every((member, i) => member.kind === others[i].kind && member.key === others[i].key)
  );
}
