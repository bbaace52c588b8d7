/** ldedge: LaunchDarkly-compatible flag evaluation for edge and serverless runtimes. */
export { init, LDClient, type LDOptions } from './client.js';
export { basicLogger, type LDLogger, type LDLogLevel } from './logging.js';
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
