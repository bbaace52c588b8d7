/**
 * The flag evaluator: off, prerequisites, targets, rules, fallthrough, in LaunchDarkly's order and
 * with its reasons. Synchronous, and allocation-free on the common paths apart from the result.
 */
import type { Context } from '../context.js';
import type { LDEvaluationReason } from '../types.js';
import type { LDJsonValue } from '../wire.js';
import { bucketContext, NO_CONTEXT_OF_KIND } from './bucketing.js';
import { MalformedFlagError } from './errors.js';
import type {
  PreparedClause,
  PreparedFlag,
  PreparedOutcome,
  PreparedSegment,
} from './prepare.js';
import {
  errorReason,
  FALLTHROUGH,
  FALLTHROUGH_IN_EXPERIMENT,
  OFF,
  TARGET_MATCH,
} from './reasons.js';

/** Where the evaluator finds prepared flags and segments. */
export interface EvaluationData {
  /** The prepared flag; undefined when absent or deleted. Throws MalformedFlagError if broken. */
  flag(key: string): PreparedFlag | undefined;
  /** The prepared segment; undefined when absent or deleted. Throws MalformedFlagError if broken. */
  segment(key: string): PreparedSegment | undefined;
}

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
}

/** Called for every prerequisite evaluated, before the flag that depends on it finishes. */
export type PrerequisiteListener = (
  prerequisite: EvalResult,
  prerequisiteOf: PreparedFlag,
) => void;

function result(
  flag: PreparedFlag | undefined,
  value: LDJsonValue,
  variationIndex: number | undefined,
  reason: LDEvaluationReason,
  trackReason: boolean,
): EvalResult {
  return { value, variationIndex, reason, flag, trackReason };
}

export function errorResult(
  errorKind: Parameters<typeof errorReason>[0],
  flag?: PreparedFlag,
): EvalResult {
  return result(flag, null, undefined, errorReason(errorKind), false);
}

export class Evaluator {
  /** Set by rollout selection alongside the variation it returns, to avoid an object per call. */
  private inExperiment = false;

  constructor(private readonly data: EvaluationData) {}

  /**
   * Evaluates a prepared flag. Never throws: malformed data gives a MALFORMED_FLAG error result.
   */
  evaluate(flag: PreparedFlag, context: Context, onPrerequisite?: PrerequisiteListener): EvalResult {
    try {
      return this.evaluateFlag(flag, context, undefined, onPrerequisite);
    } catch (err) {
      return errorResult(err instanceof MalformedFlagError ? 'MALFORMED_FLAG' : 'EXCEPTION', flag);
    }
  }

  private evaluateFlag(
    flag: PreparedFlag,
    context: Context,
    visiting: string[] | undefined,
    onPrerequisite: PrerequisiteListener | undefined,
  ): EvalResult {
    if (!flag.on) return this.offResult(flag);

    const prerequisites = flag.prerequisites;
    if (prerequisites.length > 0) {
      const stack = visiting ?? [];
      stack.push(flag.key);
      for (let i = 0; i < prerequisites.length; i++) {
        const prereq = prerequisites[i];
        if (stack.includes(prereq.key)) {
          throw new MalformedFlagError(`prerequisite cycle through "${prereq.key}"`);
        }
        const prereqFlag = this.data.flag(prereq.key);
        if (prereqFlag === undefined) {
          stack.pop();
          return this.prerequisiteFailed(flag, i);
        }
        const prereqResult = this.evaluateFlag(prereqFlag, context, stack, onPrerequisite);
        onPrerequisite?.(prereqResult, flag);
        if (!prereqFlag.on || prereqResult.variationIndex !== prereq.variation) {
          stack.pop();
          return this.prerequisiteFailed(flag, i);
        }
      }
      stack.pop();
    }

    const targets = flag.targets;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      const member = context.forKind(target.contextKind);
      if (member !== undefined && target.keys.has(member.key)) {
        return this.variationResult(flag, target.variation, TARGET_MATCH, false);
      }
    }

    const rules = flag.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (this.clausesMatch(rule.clauses, context, undefined)) {
        const index = this.outcomeVariation(rule.outcome, context);
        const inExperiment = this.inExperiment;
        return this.variationResult(
          flag,
          index,
          inExperiment ? rule.experimentReason : rule.reason,
          inExperiment || rule.trackEvents,
        );
      }
    }

    const index = this.outcomeVariation(flag.fallthrough, context);
    const inExperiment = this.inExperiment;
    return this.variationResult(
      flag,
      index,
      inExperiment ? FALLTHROUGH_IN_EXPERIMENT : FALLTHROUGH,
      inExperiment || flag.trackEventsFallthrough,
    );
  }

  private offResult(flag: PreparedFlag): EvalResult {
    const off = flag.offVariation;
    if (off === undefined || off === null) return result(flag, null, undefined, OFF, false);
    return this.variationResult(flag, off, OFF, false);
  }

  private prerequisiteFailed(flag: PreparedFlag, index: number): EvalResult {
    const off = flag.offVariation;
    const reason = flag.prerequisiteReasons[index];
    if (off === undefined || off === null) return result(flag, null, undefined, reason, false);
    return this.variationResult(flag, off, reason, false);
  }

  private variationResult(
    flag: PreparedFlag,
    index: unknown,
    reason: LDEvaluationReason,
    trackReason: boolean,
  ): EvalResult {
    const variations = flag.variations;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= variations.length) {
      throw new MalformedFlagError(`variation index ${String(index)} out of range`);
    }
    return result(flag, variations[index], index, reason, trackReason);
  }

  /** The variation a fixed outcome or rollout gives; sets `inExperiment`. */
  private outcomeVariation(outcome: PreparedOutcome, context: Context): number {
    this.inExperiment = false;
    if (outcome.variation !== undefined) return outcome.variation;
    const rollout = outcome.rollout;
    if (rollout === undefined) throw new MalformedFlagError('neither a variation nor a rollout');
    if (!rollout.ref.valid) throw new MalformedFlagError(`invalid bucketBy "${rollout.ref.text}"`);
    const bucketed = bucketContext(context, rollout.contextKind, rollout.ref, rollout.prefix);
    const hadContext = bucketed !== NO_CONTEXT_OF_KIND;
    const bucket = hadContext ? bucketed : 0;
    const variations = rollout.variations;
    let sum = 0;
    let chosen = variations[variations.length - 1];
    for (let i = 0; i < variations.length; i++) {
      sum += variations[i].weight / 100000;
      if (bucket < sum) {
        chosen = variations[i];
        break;
      }
    }
    // Past the last bucket (weights short of 100000, or rounding) falls into the last one.
    this.inExperiment = rollout.isExperiment && hadContext && chosen.untracked !== true;
    return chosen.variation;
  }

  private clausesMatch(
    clauses: readonly PreparedClause[],
    context: Context,
    segments: string[] | undefined,
  ): boolean {
    for (let i = 0; i < clauses.length; i++) {
      if (!this.clauseMatches(clauses[i], context, segments)) return false;
    }
    return true;
  }

  private clauseMatches(
    clause: PreparedClause,
    context: Context,
    segments: string[] | undefined,
  ): boolean {
    const segmentKeys = clause.segmentKeys;
    if (segmentKeys !== undefined) {
      for (let i = 0; i < segmentKeys.length; i++) {
        const segment = this.data.segment(segmentKeys[i]);
        if (segment !== undefined && this.segmentContains(segment, context, segments)) {
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
    if (!clause.ref.valid) throw new MalformedFlagError(`invalid attribute "${clause.ref.text}"`);
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

  private segmentContains(
    segment: PreparedSegment,
    context: Context,
    segments: string[] | undefined,
  ): boolean {
    if (segment.unbounded) return false;
    const user = context.forKind('user');
    if (user !== undefined && segment.included.has(user.key)) return true;
    for (const target of segment.includedContexts) {
      const member = context.forKind(target.contextKind);
      if (member !== undefined && target.keys.has(member.key)) return true;
    }
    if (user !== undefined && segment.excluded.has(user.key)) return false;
    for (const target of segment.excludedContexts) {
      const member = context.forKind(target.contextKind);
      if (member !== undefined && target.keys.has(member.key)) return false;
    }
    const rules = segment.rules;
    if (rules.length === 0) return false;
    const stack = segments ?? [];
    if (stack.includes(segment.key)) {
      throw new MalformedFlagError(`segment cycle through "${segment.key}"`);
    }
    stack.push(segment.key);
    try {
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        if (!this.clausesMatch(rule.clauses, context, stack)) continue;
        if (rule.weight === undefined) return true;
        if (!rule.ref.valid) throw new MalformedFlagError(`invalid bucketBy "${rule.ref.text}"`);
        const bucketed = bucketContext(context, rule.contextKind, rule.ref, rule.prefix);
        const bucket = bucketed === NO_CONTEXT_OF_KIND ? 0 : bucketed;
        if (bucket < rule.weight / 100000) return true;
      }
      return false;
    } finally {
      stack.pop();
    }
  }
}
