/**
 * The lean entry point the edge runtimes build on: everything but what only long-lived processes
 * use (streaming, the polling loop, store write-through) and test helpers.
 */
import { LDClient } from './client.js';
import type { LDOptions } from './options.js';

/** Creates a client that loads flags on demand (a poll, a KV entry, a store) or from a payload. */
export function init(sdkKey: string, options?: LDOptions): LDClient {
  return new LDClient(sdkKey, options);
}

export { LDClient, type LDDataSourceName, type LDDataStatus, type LDWaitOptions } from './client.js';
export type { LDApplicationInfo, LDOptions } from './options.js';
export { basicLogger, type LDBasicLoggerOptions, type LDLogger, type LDLogLevel } from './logging.js';
export type {
  LDFlagMetadata,
  LDFlagsState,
  LDFlagsStateJSON,
  LDFlagsStateOptions,
} from './allFlagsState.js';
export type { DataKind, DataLoader, DataSourceUpdates, KVStore, LDDataSource } from './data/types.js';
export type { PersistentDataStore } from './data/persistentStore.js';
export type { EventSendResult, LDEventSender } from './events/sender.js';
export type {
  LDEvaluationSeriesContext,
  LDEvaluationSeriesData,
  LDHook,
  LDHookMetadata,
  LDTrackSeriesContext,
} from './hooks.js';
export type {
  LDContext,
  LDBigSegmentsStatus,
  LDContextMeta,
  LDErrorKind,
  LDEvaluationDetail,
  LDEvaluationReason,
  LDFlagValue,
  LDJsonValue,
  LDMultiKindContext,
  LDSingleKindContext,
  LDUser,
} from './apiTypes.js';
export type { AllData, FlagData, SegmentData } from './wire.js';
export type { LDLoadError, LDLoadErrorCode } from './util/errors.js';
