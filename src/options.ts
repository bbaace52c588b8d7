/**
 * The options a caller passes to `init`. Durations are in seconds, as in LaunchDarkly's server SDKs.
 */
import type { DataLoader, KVStore, LDDataSource } from './data/types.js';
import type { LDBigSegments } from './data/bigSegments.js';
import type { PersistentDataStore } from './data/persistentStore.js';
import type { LDEventSender } from './events/sender.js';
import type { LDHook } from './hooks.js';
import type { LDLogger } from './logging.js';
import type { AllData } from './wire.js';

export interface LDApplicationInfo {
  /** Sent as `application-id` in `X-LaunchDarkly-Tags`. */
  id?: string;
  /** Sent as `application-version` in `X-LaunchDarkly-Tags`. */
  version?: string;
}

export interface LDOptions {
  /** Polling endpoint root. */
  baseUri?: string;
  /** Streaming endpoint root. */
  streamUri?: string;
  /** Events endpoint root. */
  eventsUri?: string;
  /** Seconds to wait for response headers. */
  connectTimeout?: number;
  /** Seconds to wait for a response body, or between bytes of the stream. */
  readTimeout?: number;
  /** Keep flags current over a streaming connection (long-lived processes). */
  stream?: boolean;
  /** Seconds between polls of a background polling loop (at least 30); unset means no loop. */
  pollInterval?: number;
  /**
   * The key of a payload filter defined in LaunchDarkly: polling and streaming then fetch only the
   * flags it selects (`?filter=<key>`). A key that is not letters, digits, `.`, `_` or `-`
   * (starting with a letter or digit) is ignored with a warning.
   */
  payloadFilterKey?: string;
  /** Seconds before the first stream reconnect; later ones back off up to 30 s. */
  initialReconnectDelay?: number;
  /** Seconds that loaded flags stay fresh; a wait after that reloads them. */
  cacheTtl?: number;
  /** Flags to evaluate, as a `/sdk/latest-all` body: an object or its JSON text. */
  payload?: string | AllData;
  /** A KV-style store holding the `/sdk/latest-all` body under one key. */
  kvStore?: KVStore;
  /** The client-side ID naming the KV entry `LD-Env-<clientSideId>`. */
  clientSideId?: string;
  /** The KV key, when it is not `LD-Env-<clientSideId>`. */
  kvKey?: string;
  /** A persistent store in Relay Proxy's layout. */
  featureStore?: PersistentDataStore;
  /** Daemon mode: read flags only from `featureStore`, never from LaunchDarkly. */
  useLdd?: boolean;
  /**
   * Big segments: made by `bigSegments(store)` over a big-segment store (`ldedge/redis`,
   * `ldedge/dynamodb`); `prefetch(context)` before evaluating reads a context's membership.
   */
  bigSegments?: LDBigSegments;
  /** A data source of your own: a background source or an on-demand loader. */
  dataSource?: LDDataSource | DataLoader;
  /** Evaluate from defaults only, and make no request of any kind. */
  offline?: boolean;
  /** Send analytics events. */
  sendEvents?: boolean;
  /** Events held before new ones are dropped. */
  capacity?: number;
  /** Events per request to the events endpoint; unset sends each flush's events in one request. */
  eventBatchSize?: number;
  /** Seconds between automatic flushes; unset means events leave only on `flush()`. */
  flushInterval?: number;
  /** Redact every attribute but `key`, `kind` and `anonymous` from events. */
  allAttributesPrivate?: boolean;
  /** Attribute names or references to redact from events in every context. */
  privateAttributes?: string[];
  /** Context keys remembered for deduplicating index events. */
  contextKeysCapacity?: number;
  /** Seconds after which the remembered context keys are forgotten. */
  contextKeysFlushInterval?: number;
  /** Leave anonymous contexts out of index and identify events. */
  omitAnonymousContexts?: boolean;
  /** Compress event payloads with gzip where the host has `CompressionStream`. */
  enableEventCompression?: boolean;
  /** Delivers event payloads; defaults to posting to `eventsUri`. */
  eventSender?: LDEventSender;
  /** Where log lines go. */
  logger?: LDLogger;
  /** The `fetch` to use for every request: for proxies, custom agents or tests. */
  fetch?: typeof fetch;
  /** Application identity, sent in `X-LaunchDarkly-Tags`. */
  application?: LDApplicationInfo;
  /** Name of a library wrapping ldedge, sent in `X-LaunchDarkly-Wrapper`. */
  wrapperName?: string;
  /** Version of that wrapping library. */
  wrapperVersion?: string;
  /** Hooks run around evaluations and after `track`, in this order. */
  hooks?: LDHook[];
}
