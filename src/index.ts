/**
 * ldedge: LaunchDarkly-compatible flag evaluation for edge and serverless runtimes. This entry
 * point has everything, streaming, background polling and store write-through included.
 */
import { LDLongLivedClient } from './longLivedClient.js';
import type { LDOptions } from './options.js';

/**
 * Creates a client. With an inline `payload` it is ready at once; otherwise await
 * `waitForInitialization()` before evaluating.
 */
export function init(sdkKey: string, options?: LDOptions): LDLongLivedClient {
  return new LDLongLivedClient(sdkKey, options);
}

export {
  LDLongLivedClient,
  type LDFlagChange,
  type LDFlagChangeEvent,
  type LDFlagChangeListener,
} from './longLivedClient.js';
export type {
  LDDataSourceErrorInfo,
  LDDataSourceErrorKind,
  LDDataSourceState,
  LDDataSourceStatus,
  LDDataSourceStatusListener,
  LDDataSourceStatusProvider,
} from './data/dataSourceStatus.js';

export {
  LDClient,
  basicLogger,
  type AllData,
  type DataKind,
  type DataLoader,
  type DataSourceUpdates,
  type EventSendResult,
  type FlagData,
  type KVStore,
  type LDApplicationInfo,
  type LDBigSegmentsStatus,
  type LDContext,
  type LDContextMeta,
  type LDDataSource,
  type LDDataSourceName,
  type LDDataStatus,
  type LDErrorKind,
  type LDEvaluationDetail,
  type LDEvaluationReason,
  type LDEvaluationSeriesContext,
  type LDEvaluationSeriesData,
  type LDEventSender,
  type LDFlagMetadata,
  type LDFlagsState,
  type LDFlagsStateJSON,
  type LDFlagsStateOptions,
  type LDFlagValue,
  type LDHook,
  type LDHookMetadata,
  type LDJsonValue,
  type LDLogger,
  type LDLogLevel,
  type LDBasicLoggerOptions,
  type LDMultiKindContext,
  type LDOptions,
  type LDSingleKindContext,
  type LDTrackSeriesContext,
  type LDUser,
  type LDWaitOptions,
  type PersistentDataStore,
  type SegmentData,
} from './lean.js';
export { TestData, FlagBuilder, RuleBuilder, type VariationRef } from './data/testData.js';
export { InMemoryPersistentStore } from './data/persistentStore.js';
export {
  bigSegments,
  bigSegmentContextHash,
  LDBigSegments,
  type BigSegmentMembership,
  type BigSegmentStore,
  type BigSegmentStoreMetadata,
  type LDBigSegmentsOptions,
  type LDBigSegmentStoreStatus,
} from './data/bigSegments.js';
export type { StoreData, StoreOptions } from './data/storeLayout.js';
// Only here, not in the lean entry the edge adapters re-export: a page renderer imports it from
// "ldedge" in any host, and the adapters' bundles stay as small.
export { scriptSafeJson } from './scriptSafeJson.js';
