/** Shared, frozen reasons: the evaluator hands out these instead of building new ones. */
import type { LDErrorKind, LDEvaluationReason } from '../apiTypes.js';

export const OFF: LDEvaluationReason = Object.freeze({ kind: 'OFF' });
export const FALLTHROUGH: LDEvaluationReason = Object.freeze({ kind: 'FALLTHROUGH' });
export const FALLTHROUGH_IN_EXPERIMENT: LDEvaluationReason = Object.freeze({
  kind: 'FALLTHROUGH',
  inExperiment: true,
});
export const TARGET_MATCH: LDEvaluationReason = Object.freeze({ kind: 'TARGET_MATCH' });

const errors: Partial<Record<LDErrorKind, LDEvaluationReason>> = {};

export function errorReason(errorKind: LDErrorKind): LDEvaluationReason {
  return (errors[errorKind] ??= Object.freeze({ kind: 'ERROR', errorKind }));
}
