/**
 * The client of long-lived processes (`ldedge`, `ldedge/node`): the engine's client plus what only
 * a process that keeps its data current can offer, as LaunchDarkly's Node SDK does: flag-change
 * listeners (`on('update')`, `on('update:<key>')`) and a data-source status provider. It is built
 * from outside the client class, by watching what data sources deliver, so the edge bundles, which
 * never load this module, pay nothing for it.
 */
import { clientInternals, LDClient } from './client.js';
import { isContextError, toContext } from './context.js';
import { hmacSha256Hex } from './crypto/sha256.js';
import { DataSourceStatusTracker, type LDDataSourceStatus, type LDDataSourceStatusProvider } from './data/dataSourceStatus.js';
import { FlagChangeTracker } from './data/flagChanges.js';
import { longLivedParts, type LongLivedParts } from './data/longLived.js';
import type { DataLoader, LDDataSource } from './data/types.js';
import type { LDLogger } from './logging.js';
import type { LDOptions } from './options.js';
import type { LDContext } from './apiTypes.js';

/** What `update` listeners get: the key of a flag whose configuration (or a dependency's) changed. */
export interface LDFlagChange {
  readonly key: string;
}

export type LDFlagChangeListener = (change: LDFlagChange) => void;

/** `update` for every flag, `update:<flag key>` for one. */
export type LDFlagChangeEvent = 'update' | `update:${string}`;

function checkEvent(event: unknown): asserts event is LDFlagChangeEvent {
  if (typeof event !== 'string' || !(event === 'update' || (event.startsWith('update:') && event.length > 'update:'.length))) {
    throw new TypeError(`event must be "update" or "update:<flag key>", got ${JSON.stringify(event)}`);
  }
}

/** Watches what a client's data sources deliver; made before the client, since sources may deliver during its construction. */
class Observer {
  readonly status = new DataSourceStatusTracker();
  readonly #changes = new FlagChangeTracker();
  readonly listeners = new Map<LDFlagChangeEvent, Set<LDFlagChangeListener>>();
  /** Whether a background source feeds the client; only those report their status as it changes. */
  background = false;
  logger: LDLogger | undefined;

  readonly parts: LongLivedParts = {
    background: (config) => {
      const chosen = longLivedParts.background(config, this.status);
      if (chosen === undefined) return undefined;
      this.background = true;
      return [chosen[0], this.#watch(chosen[1], false)];
    },
    storeView: longLivedParts.storeView,
  };

  /** The options, with a background `dataSource` of the application's (TestData, say) watched too. */
  options(options: LDOptions): LDOptions {
    const source = options.dataSource as Partial<LDDataSource & DataLoader> | undefined;
    if (source === undefined || typeof source.load === 'function' || typeof source.start !== 'function') return options;
    this.background = true;
    return { ...options, dataSource: this.#watch(source as LDDataSource, true) };
  }

  /** The source, delivering through the change tracker; `custom`: it does not report its own status. */
  #watch(inner: LDDataSource, custom: boolean): LDDataSource {
    return {
      start: (updates) => {
        const started = inner.start({
          init: (data, environmentId) => {
            updates.init(data, environmentId);
            if (custom) this.status.valid();
            this.#announce(this.#changes.init(data));
          },
          upsert: (kind, key, item) => {
            updates.upsert(kind, key, item);
            this.#announce(this.#changes.upsert(kind, key, item));
          },
        });
        if (custom) started.catch((err: Error) => this.status.off('UNKNOWN', err.message));
        return started;
      },
      close: () => inner.close(),
    };
  }

  /** Tells the listeners after the update is applied, in a microtask, as LaunchDarkly's Node SDK does. */
  #announce(keys: string[]): void {
    // Listeners are looked up in the microtask: one added right after `init()` hears the first data set.
    if (keys.length === 0) return;
    queueMicrotask(() => {
      for (const key of keys) {
        for (const event of ['update', `update:${key}`] as const) {
          for (const listener of [...(this.listeners.get(event) ?? [])]) {
            try {
              listener({ key });
            } catch (err) {
              this.logger?.error(`an "${event}" listener threw: ${(err as Error).message}`);
            }
          }
        }
      }
    });
  }
}

export class LDLongLivedClient extends LDClient {
  readonly #observer: Observer;
  readonly #createdAt = Date.now();
  /** For `secureModeHashSync`; the async `secureModeHash` keeps its own. */
  readonly #sdkKey: string;

  constructor(sdkKey: string, options: LDOptions = {}) {
    const observer = new Observer();
    super(sdkKey, observer.options(options), observer.parts);
    this.#sdkKey = sdkKey;
    this.#observer = observer;
    observer.logger = observer.status.logger = clientInternals(this)[0];
  }

  /**
   * Calls `listener` with `{ key }` after an update from the stream, the polling loop or a
   * background `dataSource` changes a flag's configuration, or a prerequisite or segment it uses:
   * `'update'` for every flag, `'update:<flag key>'` for one. A change of configuration need not
   * change the flag's value for a given context.
   */
  on(event: LDFlagChangeEvent, listener: LDFlagChangeListener): this {
    checkEvent(event);
    if (typeof listener !== 'function') throw new TypeError(`the listener for "${event}" must be a function`);
    const listeners = this.#observer.listeners;
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(listener);
    return this;
  }

  /**
   * `secureModeHash`, synchronously, as LaunchDarkly's server SDKs give it: HMAC-SHA256 of the
   * context's canonical key keyed with the SDK key, as lowercase hex, so that it can go straight
   * into a template. Undefined (with a warning) for an invalid context.
   * @example const hash = client.secureModeHashSync({ kind: 'user', key: 'u-1' });
   */
  secureModeHashSync(context: LDContext): string | undefined {
    const valid = toContext(context);
    if (!isContextError(valid)) return hmacSha256Hex(this.#sdkKey, valid.canonicalKey);
    clientInternals(this)[0].warn(`secureModeHashSync: invalid context: ${valid}`);
    return undefined;
  }

  /** Removes a listener `on` added. */
  off(event: LDFlagChangeEvent, listener: LDFlagChangeListener): this {
    const listeners = this.#observer.listeners;
    listeners.get(event)?.delete(listener);
    if (listeners.get(event)?.size === 0) listeners.delete(event);
    return this;
  }

  /**
   * The data source's state: `INITIALIZING` until the first data set, `VALID` while data arrives,
   * `INTERRUPTED` after a failure it retries, `OFF` once refused for good or closed; with the last
   * error. Listeners hear of each change from the stream, the polling loop and background
   * `dataSource`s; for sources read on demand (a poll, KV, a store), `getStatus()` reflects the last load.
   */
  get dataSourceStatusProvider(): LDDataSourceStatusProvider {
    const observer = this.#observer;
    if (observer.background) return observer.status;
    return {
      getStatus: () => this.#onDemandStatus(),
      addListener: (listener) => observer.status.addListener(listener),
      removeListener: (listener) => observer.status.removeListener(listener),
    };
  }

  override async close(): Promise<void> {
    await super.close();
    this.#observer.status.off();
  }

  #onDemandStatus(): LDDataSourceStatus {
    const { source, loadedAt, lastError } = this.dataStatus();
    const since = loadedAt ?? this.#createdAt;
    const error = lastError === undefined ? undefined : { kind: 'UNKNOWN' as const, message: lastError, time: since };
    if (this.#observer.status.getStatus().state === 'OFF' || source === 'offline') return { state: 'OFF', stateSince: since, lastError: error };
    if (source === 'payload') return { state: lastError === undefined ? 'VALID' : 'OFF', stateSince: since, lastError: error };
    if (loadedAt === undefined) return { state: 'INITIALIZING', stateSince: since, lastError: error };
    return { state: lastError === undefined ? 'VALID' : 'INTERRUPTED', stateSince: since, lastError: error };
  }
}
