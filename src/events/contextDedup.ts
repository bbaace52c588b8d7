/**
 * Which contexts have been described to LaunchDarkly recently: an LRU of canonical keys, forgotten
 * entirely once per interval. The interval is checked when the set is used rather than by a
 * timer, because serverless hosts freeze between invocations and a timer there is meaningless.
 */
export class ContextDeduplicator {
  /** Insertion order is recency order: the first key is the least recently seen. */
  private keys = new Map<string, true>();
  private windowStart: number;
  private lastKey: string | undefined;

  constructor(
    private readonly capacity: number,
    private readonly intervalMs: number,
    now: number,
  ) {
    this.windowStart = now;
  }

  /** Records `key` as seen at `now`; true when it had not been seen in the current window. */
  notice(key: string, now: number): boolean {
    if (now - this.windowStart >= this.intervalMs) {
      this.keys.clear();
      this.lastKey = undefined;
      this.windowStart = now;
    }
    // One request usually evaluates many flags for one context: already the most recent.
    if (key === this.lastKey) return false;
    this.lastKey = key;
    const keys = this.keys;
    if (keys.has(key)) {
      keys.delete(key);
      keys.set(key, true);
      return false;
    }
    if (keys.size >= this.capacity) {
      const oldest = keys.keys().next().value;
      if (oldest !== undefined) keys.delete(oldest);
    }
    keys.set(key, true);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
