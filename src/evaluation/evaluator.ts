/**
 * The flag evaluator: off, prerequisites, targets, rules, fallthrough, in LaunchDarkly's order and
 * with its reasons. Synchronous, and allocation-free on the common paths apart from the result.
 */
import type { Context } from '../context.js';
import type { LDEvaluationReason } from '../apiTypes.js';
import type { LDJsonValue } from '../wire.js';
import { bucketContext } from './bucketing.js';
import { malformed, MalformedFlagError } from './errors.js';
import type {
  PreparedClause,
  PreparedFlag,
  PreparedOutcome,
  PreparedRule,
  PreparedSegment,
  PreparedTarget,
} from './prepare.js';
import { errorReason, OFF, TARGET_MATCH } from './reasons.js';

/** Where the evaluator finds prepared flags and segments. */
export interface EvaluationData {
  /** The prepared flag; undefined when absent or deleted. Throws MalformedFlagError if broken. */
  flag(key: string): PreparedFlag | undefined;
  /** The prepared segment; undefined when absent or deleted. Throws MalformedFlagError if broken. */
  segment(key: string): PreparedSegment | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One evaluation, with what analytics events will need. */
export interface EvalResult {
  /** The variation's value, or null when the caller's default applies. */
  readonly value: LDJsonValue;
  readonly variationIndex: number | undefined;
  readonly reason: LDEvaluationReason;
  /** The flag evaluated, when it exists and could be prepared. */
  readonly flag: PreparedFlag | undefined;
  /** True when events must carry the reason: an experiment, or a tracked rule or fallthrough. */
  readonly trackReason: boolean;
  /**
   * The results of the flag's prerequisites evaluated, in order, each with its own, when the
   * caller asked for them; set only by the evaluator that made this result.
   */
  prerequisites: EvalResult[] | undefined;
}

function result(
  flag: PreparedFlag | undefined,
  value: LDJsonValue,
  variationIndex: number | undefined,
  reason: LDEvaluationReason,
  trackReason: boolean,
): EvalResult {
  return { value, variationIndex, reason, flag, trackReason, prerequisites: undefined };
}

export function errorResult(
  errorKind: Parameters<typeof errorReason>[0],
  flag?: PreparedFlag,
): EvalResult {
  return result(flag, null, undefined, errorReason(errorKind), false);
}

/**
 * Results already made for one context, by flag, and whether each segment met contains it: to be
 * kept for one context, one `withPrerequisites` and one data set, as allFlagsState does for a call.
 */
export type EvalMemo = Map<PreparedFlag | PreparedSegment, EvalResult | boolean>;

/**
 * What the client evaluates through: this evaluator, or one that also knows big segments (which
 * may ignore `memo`, evaluating afresh).
 */
export interface FlagEvaluator {
  evaluate(flag: PreparedFlag, context: Context, withPrerequisites?: boolean, memo?: EvalMemo): EvalResult;
}

export class Evaluator implements FlagEvaluator {
  readonly #data: EvaluationData;

  constructor(data: EvaluationData) {
    this.#data = data;
  }

  /**
   * Evaluates a prepared flag. Never throws: malformed data gives a MALFORMED_FLAG error result.
   * With `withPrerequisites`, the result lists the prerequisites' results (for events): kept
   * on the result rather than reported as they happen, so that recording them costs the
   * evaluation nothing. With `memo`, a flag (this one or a prerequisite) already evaluated there
   * is not evaluated again, and what this evaluation makes is added to it.
   */
  evaluate(flag: PreparedFlag, context: Context, withPrerequisites = false, memo?: EvalMemo): EvalResult {
    // Where the prerequisites' results go: kept by a flag that has some, or by a failure.
    const prerequisites = withPrerequisites ? [] : undefined;
    bigSegmentMet = false;
    memoInUse = memo;
    try {
      const evaluated = memoized(evaluateFlag, this.#data, flag, context, undefined, prerequisites);
      // The result was made for this call alone (one that met a big segment is never in `memo`);
      // its reason may be shared, so it is copied.
      if (bigSegmentMet) (evaluated as Mutable<EvalResult>).reason = { ...evaluated.reason, bigSegmentsStatus: 'NOT_CONFIGURED' };
      return evaluated;
    } catch (err) {
      const failed = errorResult(err instanceof MalformedFlagError ? 'MALFORMED_FLAG' : 'EXCEPTION', flag);
      // Those evaluated before the failure still happened.
      failed.prerequisites = prerequisites;
      return failed;
    }
  }
}

/**
 * Set by `outcomeVariation` beside the index it returns, to save an object per call. Evaluation
 * is synchronous and the flag is read straight after the call, so one module-wide value is safe.
 */
let inExperiment = false;

/** Set when an evaluation met a big segment with no store to ask; read as `inExperiment` is. */
let bigSegmentMet = false;

/** The memo the evaluation in progress reads and adds to, if any; set as `bigSegmentMet` is. */
let memoInUse: EvalMemo | undefined;

/**
 * What `evaluate` gives for a flag (its result) or a segment (whether it contains the context),
 * or what `memoInUse` kept of it. Answers are kept, never failures, and they do not depend on
 * the flags or segments in progress: an item evaluates alike wherever it is met, and one that
 * would meet a cycle fails wherever it is met. Nor is one kept once a big segment has been met in
 * this evaluation, which the answer alone would not tell.
 */
function memoized<T extends PreparedFlag | PreparedSegment, R extends EvalResult | boolean>(
  evaluate: (data: EvaluationData, item: T, context: Context, stack: string[] | undefined, results?: EvalResult[]) => R,
  data: EvaluationData,
  item: T,
  context: Context,
  stack: string[] | undefined,
  results?: EvalResult[],
): R {
  let known = memoInUse?.get(item) as R | undefined;
  if (known === undefined) {
    known = evaluate(data, item, context, stack, results);
    if (!bigSegmentMet) memoInUse?.set(item, known);
  }
  return known;
}

function evaluateFlag(
  data: EvaluationData,
  flag: PreparedFlag,
  context: Context,
  visiting: string[] | undefined,
  prerequisites: EvalResult[] | undefined,
): EvalResult {
  if (!flag.on) return offResult(flag, OFF);
  if (flag.prerequisites.length === 0) return targetsAndRules(data, flag, context);
  const stack = visiting ?? [];
  stack.push(flag.key);
  const failed = failedPrerequisite(data, flag, context, stack, prerequisites);
  stack.pop();
  const evaluated = failed === undefined ? targetsAndRules(data, flag, context) : offResult(flag, failed);
  // The result was made just now, for this call alone.
  evaluated.prerequisites = prerequisites;
  return evaluated;
}

/** What a flag that is on and past its prerequisites gives: targets, then rules, then fallthrough. */
function targetsAndRules(data: EvaluationData, flag: PreparedFlag, context: Context): EvalResult {
  const target = matchingTarget(flag.targets, context);
  if (target !== undefined) return variationResult(flag, target.variation, TARGET_MATCH, false);
  const rules = flag.rules;
  for (let i = 0; i < rules.length; i++) {
    if (clausesMatch(data, rules[i].clauses, context, undefined)) {
      return ruleResult(flag, rules[i], context);
    }
  }
  return ruleResult(flag, flag.fallthrough, context);
}

/**
 * The first failing prerequisite's reason, or undefined; `stack` holds the flags in progress, and
 * `results`, when given, gets each prerequisite's result.
 */
function failedPrerequisite(
  data: EvaluationData,
  flag: PreparedFlag,
  context: Context,
  stack: string[],
  results: EvalResult[] | undefined,
): LDEvaluationReason | undefined {
  const prerequisites = flag.prerequisites;
  for (let i = 0; i < prerequisites.length; i++) {
    const prereq = prerequisites[i];
    if (stack.includes(prereq.key)) malformed();
    const prereqFlag = data.flag(prereq.key);
    if (prereqFlag === undefined) return prereq.reason;
    const prereqResult = memoized(evaluateFlag, data, prereqFlag, context, stack, results && []);
    results?.push(prereqResult);
    if (!prereqFlag.on || prereqResult.variationIndex !== prereq.variation) return prereq.reason;
  }
  return undefined;
}

/** The first target listing the context's key of the target's kind. */
function matchingTarget(
  targets: readonly PreparedTarget[],
  context: Context,
): PreparedTarget | undefined {
  for (let i = 0; i < targets.length; i++) {
    const member = context.forKind(targets[i].contextKind);
    if (member !== undefined && targets[i].keys.has(member.key)) return targets[i];
  }
  return undefined;
}

/** The off variation (or none) with `reason`: for a flag that is off or missed a prerequisite. */
function offResult(flag: PreparedFlag, reason: LDEvaluationReason): EvalResult {
  const off = flag.offVariation;
  if (off === undefined || off === null) return result(flag, null, undefined, reason, false);
  return variationResult(flag, off, reason, false);
}

function ruleResult(flag: PreparedFlag, rule: PreparedRule, context: Context): EvalResult {
  const index = outcomeVariation(rule.outcome, context);
  return variationResult(
    flag,
    index,
    inExperiment ? rule.experimentReason : rule.reason,
    inExperiment || rule.trackEvents,
  );
}

function variationResult(
  flag: PreparedFlag,
  index: unknown,
  reason: LDEvaluationReason,
  trackReason: boolean,
): EvalResult {
  const variations = flag.variations;
  if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= variations.length) {
    malformed();
  }
  return result(flag, variations[index as number], index as number, reason, trackReason);
}

/** The variation a fixed outcome or rollout gives; sets `inExperiment`. */
function outcomeVariation(outcome: PreparedOutcome, context: Context): number {
  inExperiment = false;
  if (typeof outcome === 'number') return outcome;
  if (outcome === undefined) malformed();
  const bucketed = bucketContext(context, outcome);
  const bucket = bucketed ?? 0;
  const variations = outcome.variations;
  // Past the last bucket (weights short of 100000, or rounding) falls into the last one.
  let chosen = variations[variations.length - 1];
  let sum = 0;
  for (let i = 0; i < variations.length; i++) {
    sum += variations[i].weight / 100000;
    if (bucket < sum) {
      chosen = variations[i];
      break;
    }
  }
  inExperiment = outcome.isExperiment && bucketed !== undefined && chosen.untracked !== true;
  return chosen.variation;
}

function clausesMatch(
  data: EvaluationData,
  clauses: readonly PreparedClause[],
  context: Context,
  segments: string[] | undefined,
): boolean {
  for (let i = 0; i < clauses.length; i++) {
    if (!clauseMatches(data, clauses[i], context, segments)) return false;
  }
  return true;
}

function clauseMatches(
  data: EvaluationData,
  clause: PreparedClause,
  context: Context,
  segments: string[] | undefined,
): boolean {
  const segmentKeys = clause.segmentKeys;
  if (segmentKeys !== undefined) {
    for (let i = 0; i < segmentKeys.length; i++) {
      const segment = data.segment(segmentKeys[i]);
      if (segment !== undefined && memoized(segmentContains, data, segment, context, segments)) {
        return !clause.negate;
      }
    }
    return clause.negate;
  }
  if (clause.isKindAttribute) {
    const members = context.contexts;
    for (let i = 0; i < members.length; i++) {
      if (clause.matches(members[i].kind)) return !clause.negate;
    }
    return clause.negate;
  }
  if (!clause.ref.valid) malformed();
  const member = context.forKind(clause.contextKind);
  if (member === undefined) return false;
  const value = member.valueOf(clause.ref);
  // A missing attribute never matches, negated or not.
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (clause.matches(value[i])) return !clause.negate;
    }
    return clause.negate;
  }
  return clause.matches(value) !== clause.negate;
}

/** `segments` holds the segments whose rules are being matched, to catch cycles. */
function segmentContains(
  data: EvaluationData,
  segment: PreparedSegment,
  context: Context,
  segments: string[] | undefined,
): boolean {
  const big = segment.unbounded;
  if (big !== undefined) {
    // Without a store, a big segment reports NOT_CONFIGURED and applies its rules alone, unless
    // the context has no key of its kind, as in LaunchDarkly's SDKs.
    if (context.forKind(big) === undefined) return false;
    bigSegmentMet = true;
  } else {
    if (matchingTarget(segment.included, context) !== undefined) return true;
    if (matchingTarget(segment.excluded, context) !== undefined) return false;
  }
  const rules = segment.rules;
  if (rules.length === 0) return false;
  const stack = segments ?? [];
  if (stack.includes(segment.key)) malformed();
  stack.push(segment.key);
  let included = false;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (
      clausesMatch(data, rule.clauses, context, stack) &&
      (rule.weight === undefined || (bucketContext(context, rule) ?? 0) < rule.weight / 100000)
    ) {
      included = true;
      break;
    }
  }
  stack.pop();
  return included;
}
