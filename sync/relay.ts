/**
 * The long-lived relay: LaunchDarkly's stream, kept open, with each change written to the target
 * as it arrives. Changes that arrive while a write is in flight are written together once it ends;
 * a failed write is tried again after a backoff, with nothing lost.
 */
import { Backoff } from '../src/data/backoff.js';
import { isRecoverableStatus } from '../src/http.js';
import { StreamingDataSource } from '../src/data/streaming.js';
import type { LDLogger } from '../src/logging.js';
import { contentVersion, isAuthStatus, liveData, setUp, SyncAuthError, type SyncOptions } from './options.js';
import type { AllData, DataKind, FlagData, SegmentData } from './types.js';

export interface RelayOptions extends SyncOptions {
  /** Seconds before the first stream reconnect; later ones back off up to 30 s. Default 1. */
  initialReconnectDelay?: number;
  /** Seconds before a failed target write is tried again; later ones back off up to 30 s. Default 1. */
  retryDelay?: number;
}

export interface Relay {
  /**
   * Resolves once the first full data set is in the target; rejects with a `SyncAuthError` when
   * LaunchDarkly refuses the key, or when the relay is closed first.
   */
  readonly ready: Promise<void>;
  /**
   * Settles when the relay stops: resolves after `close()`, rejects with a `SyncAuthError` when
   * LaunchDarkly refuses the key (at the start or on a later reconnect), or with an Error when
   * the stream answers with another status that retrying cannot fix (a 404, say).
   */
  readonly done: Promise<void>;
  /** Writes completed so far (a full entry or a batch of items each count once). */
  readonly writes: number;
  /** Ends the stream; a write in flight completes. */
  close(): void;
}

type Item = FlagData | SegmentData;

function versionOf(item: Item | undefined): number {
  return typeof item?.version === 'number' ? item.version : -1;
}

/**
 * The stream's own error lines (it has one: giving up for good) are left to the relay, which
 * reports that once, through `ready` and `done`; its other lines pass through.
 */
function withoutErrors(logger: LDLogger): LDLogger {
  return { debug: (m) => logger.debug(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.debug(m) };
}

/** Starts relaying. Keep the process alive; `close()` stops it. */
export function startRelay(options: RelayOptions): Relay {
  const { initialReconnectDelay = 1, retryDelay = 1, ...syncOptions } = options;
  for (const [name, value] of [['initialReconnectDelay', initialReconnectDelay], ['retryDelay', retryDelay]] as const) {
    if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`option "${name}" must be a number of seconds, 0 or more, got ${JSON.stringify(value)}`);
  }
  const { sdkKey, target, key, streamUri, filter, http, logger } = setUp(syncOptions);
  const retries = new Backoff({ initialMs: retryDelay * 1000, maxMs: 30_000, resetAfterMs: 0 });
  let data: AllData | undefined;
  /** What the target still lacks: everything, or these items. */
  let needsAll = false;
  let items = new Map<string, [DataKind, string, Item]>();
  /** The content version of the entry last written, so a reconnect's identical put writes nothing. */
  let written: string | undefined;
  let writing = false;
  let stopped = false;
  let writes = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the whole entry was last written, for targets with a `minWriteInterval`. */
  let lastEntryWrite = -Infinity;

  const settled = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    return { promise, resolve, reject };
  };
  const ready = settled<void>();
  const done = settled<void>();

  async function writePending(): Promise<boolean> {
    const all = needsAll || !target.writeItem;
    const batch = items;
    needsAll = false;
    items = new Map();
    if (all) {
      const live = liveData(data!);
      const text = JSON.stringify(live);
      const version = await contentVersion(text);
      if (version === written) return false;
      await target.write({ key, text, data: live, version });
      written = version;
    } else {
      for (const [kind, itemKey, item] of batch.values()) await target.writeItem!(kind, itemKey, item);
      written = undefined;
    }
    writes++;
    logger.info(all ? `wrote ${key || 'flags'} to ${target.name}` : `wrote ${batch.size} changed item(s) to ${target.name}`);
    return true;
  }

  /** Pumps again after `ms`. */
  function later(ms: number): void {
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void pump();
    }, ms);
  }

  /** Writes what is pending, one write at a time, retrying a failed one after a backoff. */
  async function pump(): Promise<void> {
    if (writing || retryTimer !== undefined || data === undefined || stopped) return;
    writing = true;
    try {
      while (needsAll || items.size > 0) {
        // Targets that take one write a second per key (Cloudflare KV) get changes gathered into
        // the next write allowed, rather than writes refused.
        const whole = needsAll || !target.writeItem;
        const wait = lastEntryWrite + (target.minWriteInterval ?? 0) * 1000 - Date.now();
        if (whole && wait > 0) {
          later(wait);
          return;
        }
        const before = { needsAll, items };
        try {
          if ((await writePending()) && whole) lastEntryWrite = Date.now();
          retries.connected();
          ready.resolve();
        } catch (err) {
          // Nothing was lost: what failed is pending again, under anything newer.
          needsAll ||= before.needsAll;
          for (const [id, change] of before.items) if (!items.has(id)) items.set(id, change);
          if (stopped) return;
          const delay = retries.failed();
          logger.warn(`could not write to ${target.name} (${(err as Error).message}); retrying in ${delay} ms`);
          later(delay);
          return;
        }
      }
    } finally {
      writing = false;
    }
  }

  function stop(failure?: Error): void {
    if (stopped) return;
    stopped = true;
    stream.close();
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (failure) {
      ready.reject(failure);
      done.reject(failure);
    } else {
      ready.reject(new Error('relay closed before the first write'));
      done.resolve();
    }
  }

  const stream = new StreamingDataSource({
    http: {
      ...http,
      // A refused key, or any answer the stream gives up on for good, stops the relay, whether
      // it comes on the first connection or a later one; the stream's own line about it is quiet.
      fetch: async (input, init) => {
        const response = await http.fetch(input, init);
        const { status } = response;
        if (isAuthStatus(status)) queueMicrotask(() => stop(new SyncAuthError(status, sdkKey)));
        else if (!response.ok && !isRecoverableStatus(status)) {
          queueMicrotask(() => stop(new Error(`LaunchDarkly's stream answered HTTP ${status}; the relay has stopped (check "streamUri")`)));
        }
        return response;
      },
    },
    streamUri,
    filter,
    initialReconnectDelayMs: initialReconnectDelay * 1000,
    logger: withoutErrors(logger),
  });
  stream
    .start({
      init(all) {
        // Without prototypes, so that an item keyed `__proto__` is stored as the item it names.
        data = { flags: Object.assign(Object.create(null), all.flags), segments: Object.assign(Object.create(null), all.segments) };
        needsAll = true;
        items.clear();
        void pump();
      },
      upsert(kind, itemKey, item) {
        if (data === undefined) return;
        const held = (data[kind] as Record<string, Item>)[itemKey];
        // As the engine does: only a newer version replaces what is held.
        if (held !== undefined && versionOf(item) <= versionOf(held)) return;
        (data[kind] as Record<string, Item>)[itemKey] = item;
        if (!needsAll) items.set(`${kind}/${itemKey}`, [kind, itemKey, item]);
        void pump();
      },
    })
    .catch(() => {
      // Reported through `ready` and `done` by the fetch above, or closed.
    });

  return {
    ready: ready.promise,
    done: done.promise,
    get writes() {
      return writes;
    },
    close: () => stop(),
  };
}
