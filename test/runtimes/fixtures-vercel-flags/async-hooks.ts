/**
 * `async_hooks` for the Flags SDK under edge-runtime, which has no AsyncLocalStorage: a store
 * visible during the synchronous part of `run`, which is where the SDK reads it for the batches
 * `evaluate()` makes.
 */
export class AsyncLocalStorage<T> {
  #store: T | undefined;

  getStore(): T | undefined {
    return this.#store;
  }

  run<R>(store: T, fn: (...args: unknown[]) => R, ...args: unknown[]): R {
    const previous = this.#store;
    this.#store = store;
    try {
      return fn(...args);
    } finally {
      this.#store = previous;
    }
  }
}
