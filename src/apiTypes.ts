/** The types of the evaluation API as callers see them: contexts, flag values, details and reasons. */
import type { LDJsonValue } from './wire.js';

export type { LDJsonValue } from './wire.js';

/** A flag value as a caller sees it. */
export type LDFlagValue = LDJsonValue;

/** `_meta` of a context: attributes to keep out of analytics events. */
export interface LDContextMeta {
  privateAttributes?: string[];
}

/** A single-kind context, e.g. `{ kind: 'user', key: 'u1', name: 'Ann' }`. */
export interface LDSingleKindContext {
  kind: string;
  key: string;
  name?: string;
  anonymous?: boolean;
  _meta?: LDContextMeta;
  [attribute: string]: LDJsonValue | LDContextMeta | undefined;
}

/** A multi-kind context: `{ kind: 'multi', user: {...}, org: {...} }`. */
export interface LDMultiKindContext {
  kind: 'multi';
  [kind: string]: 'multi' | Omit<LDSingleKindContext, 'kind'>;
}

/** The older user object (no `kind`), which is a context of kind `user`. */
export interface LDUser {
  key: string;
  secondary?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  avatar?: string;
  ip?: string;
  country?: string;
  anonymous?: boolean;
  custom?: Record<string, LDJsonValue>;
  privateAttributeNames?: string[];
}

export type LDContext = LDSingleKindContext | LDMultiKindContext | LDUser;

export type LDErrorKind =
  | 'CLIENT_NOT_READY'
  | 'FLAG_NOT_FOUND'
  | 'MALFORMED_FLAG'
  | 'USER_NOT_SPECIFIED'
  | 'WRONG_TYPE'
  | 'EXCEPTION';

/** How a big-segment store answered during an evaluation that needed one. */
export type LDBigSegmentsStatus = 'HEALTHY' | 'STALE' | 'STORE_ERROR' | 'NOT_CONFIGURED';

/** Why a flag gave its value; `bigSegmentsStatus` is present when a big segment was consulted. */
export type LDEvaluationReason = { readonly bigSegmentsStatus?: LDBigSegmentsStatus } & (
  | { readonly kind: 'OFF' }
  | { readonly kind: 'FALLTHROUGH'; readonly inExperiment?: true }
  | { readonly kind: 'TARGET_MATCH' }
  | {
      readonly kind: 'RULE_MATCH';
      readonly ruleIndex: number;
      readonly ruleId?: string;
      readonly inExperiment?: true;
    }
  | { readonly kind: 'PREREQUISITE_FAILED'; readonly prerequisiteKey: string }
  | { readonly kind: 'ERROR'; readonly errorKind: LDErrorKind }
);

export interface LDEvaluationDetail<T = LDFlagValue> {
  value: T;
  /** Absent when the default value was returned. */
  variationIndex?: number;
  reason: LDEvaluationReason;
}
