/**
 * The long-lived relay: LaunchDarkly's stream, kept open, with each change written to the target
 * as it arrives. Changes that arrive while a write is in flight are written together once it ends.
 */
import { Backoff } from '../src/data/backoff.js';
import { StreamingDataSource } from '../src/data/streaming.js';
import type { LDLogger } from '../src/logging.js';
import type { AllData, FlagData, SegmentData } from '../src/wire.js';
import { authFailure, contentVersion, setUp, type SyncOptions } from './options.js';
import type { DataKind } from './types.js';

export interface RelayOptions extends SyncOptions {
  /** Seconds before the first stream reconnect; later ones back off up to 30 s. Default 1. */
  initialReconnectDelay?: number;
  /** Seconds before a failed target write is tried again; later ones back off up to 30 s. Default 1. */
  retryDelay?: number;
}

export interface Relay {
  /**
   * Resolves once the first full data set is in the target; rejects with a `SyncAuthError` when
   * LaunchDarkly refuses the key (the relay has then stopped).
   */
  readonly ready: Promise<void>;
  /** Writes completed so far. */
  readonly writes: number;
  /** Ends the stream; a write in flight completes. */
  close(): void;
}

type Item = FlagData | SegmentData;

function version(item: Item | undefined): number {
  return typeof item?.version === 'number' ? item.version : -1;
}

/** The stream's own errors are reported by the relay, once, through `ready`. */
function quietErrors(logger: LDLogger): LDLogger {
  return { debug: (m) => logger.debug(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.debug(m) };
}

/** Starts relaying. Keep the process alive; `close()` stops it. */
export function startRelay(options: RelayOptions): Relay {
  const { initialReconnectDelay, retryDelay = 1, ...syncOptions } = options;
  const { config, target, key } = setUp({ ...syncOptions });
  const { logger } = config;
  const retries = new Backoff({ initialMs: Math.max(0, retryDelay) * 1000, maxMs: 30_000, resetAfterMs: 0 });
  let data: AllData | undefined;
  /** What the target still lacks: everything, or these items. */
  let needsAll = false;
  let items = new Map<string, [DataKind, string, Item]>();
  let writing = false;
  let closed = false;
  let writes = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});

  async function writePending(): Promise<void> {
    const all = needsAll || !target.writeItem;
    const batch = items;
    needsAll = false;
    items = new Map();
    if (all) {
      const text = JSON.stringify(data);
      await target.write({ key, text, data: data!, version: await contentVersion(text) });
    } else {
      for (const [kind, itemKey, item] of batch.values()) await target.writeItem!(kind, itemKey, item);
    }
    writes++;
    logger.info(all ? `wrote ${key || 'flags'} to ${target.name}` : `wrote ${batch.size} changed item(s) to ${target.name}`);
  }

  /** Writes what is pending, one write at a time, retrying a failed one after a backoff. */
  async function pump(): Promise<void> {
    if (writing || retryTimer !== undefined || data === undefined) return;
    writing = true;
    try {
      while (needsAll || items.size > 0) {
        const before = { needsAll, items };
        try {
          await writePending();
          retries.connected();
          resolveReady();
        } catch (err) {
          // Nothing was lost: what failed is pending again, under anything newer.
          needsAll ||= before.needsAll || !target.writeItem;
          for (const [id, change] of before.items) if (!items.has(id)) items.set(id, change);
          const delay = retries.failed();
          logger.warn(`could not write to ${target.name} (${(err as Error).message}); retrying in ${delay} ms`);
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void pump();
          }, delay);
          return;
        }
      }
    } finally {
      writing = false;
    }
  }

  const stream = new StreamingDataSource({
    http: config.http,
    streamUri: config.streamUri,
    filter: config.payloadFilterKey,
    initialReconnectDelayMs: initialReconnectDelay === undefined ? config.initialReconnectDelayMs : initialReconnectDelay * 1000,
    logger: quietErrors(logger),
  });
  stream
    .start({
      init(all) {
        data = { flags: { ...all.flags }, segments: { ...all.segments } };
        needsAll = true;
        items.clear();
        void pump();
      },
      upsert(kind, itemKey, item) {
        if (data === undefined) return;
        const held = (data[kind] as Record<string, Item>)[itemKey];
        // As the engine does: only a newer version replaces what is held.
        if (held !== undefined && version(item) <= version(held)) return;
        (data[kind] as Record<string, Item>)[itemKey] = item;
        if (!needsAll) items.set(`${kind}/${itemKey}`, [kind, itemKey, item]);
        void pump();
      },
    })
    .catch((err: unknown) => {
      if (closed) return;
      const failure = authFailure(err, config.sdkKey);
      rejectReady(failure);
    });

  return {
    ready,
    get writes() {
      return writes;
    },
    close() {
      closed = true;
      stream.close();
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      rejectReady(new Error('relay closed before the first write'));
    },
  };
}
