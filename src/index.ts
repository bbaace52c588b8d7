/** ldedge: LaunchDarkly-compatible flag evaluation for edge and serverless runtimes. */
export {
  init,
  LDClient,
  type LDDataSourceName,
  type LDDataStatus,
  type LDWaitOptions,
} from './client.js';
export type {
  LDFlagMetadata,
  LDFlagsState,
  LDFlagsStateJSON,
  LDFlagsStateOptions,
} from './allFlagsState.js';
export type { LDApplicationInfo, LDOptions } from './options.js';
export { basicLogger, type LDLogger, type LDLogLevel } from './logging.js';
export type { DataKind, DataLoader, DataSourceUpdates, KVStore, LDDataSource } from './data/types.js';
export { TestData, FlagBuilder, RuleBuilder, type VariationRef } from './data/testData.js';
export { InMemoryPersistentStore, type PersistentDataStore } from './data/persistentStore.js';
export type { EventSendResult, LDEventSender } from './events/sender.js';
export type {
  LDContext,
  LDContextMeta,
  LDErrorKind,
  LDEvaluationDetail,
  LDEvaluationReason,
  LDFlagValue,
  LDJsonValue,
  LDMultiKindContext,
  LDSingleKindContext,
  LDUser,
} from './types.js';
export type { AllData, FlagData, SegmentData } from './wire.js';
