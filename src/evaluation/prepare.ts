/**
 * Compiles a flag or segment, the first time it is evaluated, into the form the evaluator walks:
 * target key sets, clause predicates, attribute references, rollout prefixes and the reasons it
 * will return. Anything structurally wrong throws MalformedFlagError here, once, naming the field;
 * the caller's log line names the flag.
 */
import { refFor, type AttributeRef } from '../attributeRef.js';
import { isRecord } from '../util/json.js';
import type { LDEvaluationReason } from '../apiTypes.js';
import type {
  Clause,
  ContextTarget,
  FlagData,
  LDJsonValue,
  Prerequisite,
  SegmentData,
  VariationOrRollout,
  WeightedVariation,
} from '../wire.js';
import { asNumber, asString, compileOperator, operands, type ValueMatcher } from './operators.js';
import { malformed } from './errors.js';
import { bucketPrefix, type Bucketing } from './bucketing.js';
import { FALLTHROUGH, FALLTHROUGH_IN_EXPERIMENT } from './reasons.js';

export interface PreparedClause {
  readonly contextKind: string;
  readonly ref: AttributeRef;
  /** The `kind` attribute: matched against every kind the context has. */
  readonly isKindAttribute: boolean;
  readonly negate: boolean;
  /** Segment keys, for `segmentMatch`; undefined for every other operator. */
  readonly segmentKeys: readonly string[] | undefined;
  readonly matches: ValueMatcher;
}

export interface PreparedRollout extends Bucketing {
  readonly isExperiment: boolean;
  readonly variations: readonly WeightedVariation[];
}

/** A fixed variation index or a rollout; undefined where the flag is malformed. */
export type PreparedOutcome = number | PreparedRollout | undefined;

export interface PreparedPrerequisite extends Prerequisite {
  /** What a failure of this prerequisite gives. */
  readonly reason: LDEvaluationReason;
}

/** A flag rule, or the fallthrough as a rule without clauses. */
export interface PreparedRule {
  readonly clauses: readonly PreparedClause[];
  readonly outcome: PreparedOutcome;
  readonly reason: LDEvaluationReason;
  readonly experimentReason: LDEvaluationReason;
  readonly trackEvents: boolean;
}

/** Keys of one context kind; segments ignore `variation`. */
export interface PreparedTarget {
  readonly contextKind: string;
  readonly keys: ReadonlySet<string>;
  readonly variation: number;
}

export interface PreparedFlag {
  readonly key: string;
  readonly version: number;
  readonly on: boolean;
  readonly variations: readonly LDJsonValue[];
  readonly offVariation: unknown;
  readonly prerequisites: readonly PreparedPrerequisite[];
  readonly targets: readonly PreparedTarget[];
  readonly rules: readonly PreparedRule[];
  readonly fallthrough: PreparedRule;
  readonly trackEvents: boolean;
  readonly debugEventsUntilDate: number | undefined;
  /** Leave this flag out of summary events. */
  readonly excludeFromSummaries: boolean;
  /** Keep one in this many of the flag's feature and debug events; undefined keeps all. */
  readonly samplingRatio: number | undefined;
}

export interface PreparedSegmentRule extends Bucketing {
  readonly clauses: readonly PreparedClause[];
  /** Out of 100000, or undefined when the rule includes every match. */
  readonly weight: number | undefined;
}

export interface PreparedSegment {
  readonly key: string;
  /** User keys first, then each kind's: the order they are checked in. */
  readonly included: readonly PreparedTarget[];
  readonly excluded: readonly PreparedTarget[];
  readonly rules: readonly PreparedSegmentRule[];
  /**
   * For a big segment (members in a big-segment store, not in its lists, which are not used;
   * its rules are left empty when it has no generation): the context kind it is keyed by.
   * With the `bigSegments` option, the big-segment evaluator stands in an ordinary segment per
   * context; without it, only the rules apply, as in LaunchDarkly's SDKs.
   */
  readonly unbounded: string | undefined;
}

/** The array, or empty when null or absent. */
function list<T>(value: T[] | null | undefined, what: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) malformed(what);
  return value;
}

/** The value, which must be an object other than an array. */
function record<T>(value: T, what: string): T {
  if (!isRecord(value)) malformed(what);
  return value;
}

/** Each element of a list (see `list`), which must be an object (see `record`), through `prepare`. */
function mapRecords<T, R>(value: T[] | null | undefined, what: string, prepare: (item: T, index: number) => R): R[] {
  return list(value, what).map((item, index) => prepare(record(item, what), index));
}

/** A context kind; absent, null or empty means none (and the older, user-only rules). */
function kindOf(value: unknown): string | undefined {
  if (value != null && typeof value !== 'string') malformed('contextKind');
  return (value as string | null | undefined) || undefined;
}

function keySet(values: unknown): Set<string> {
  return new Set(operands(list(values as unknown[], 'values'), asString));
}

function bucketing(bucketBy: unknown, kind: string | undefined, prefix: string): Bucketing {
  return {
    contextKind: kind ?? 'user',
    ref: refFor(typeof bucketBy === 'string' ? bucketBy : 'key', kind),
    prefix,
  };
}

function prepareClauses(raw: Clause[] | undefined): PreparedClause[] {
  return mapRecords(raw, 'clauses', (clause) => {
    const values = list(clause.values, 'values');
    const op = clause.op;
    if (typeof op !== 'string') malformed('op');
    // A segment match ignores the clause's kind and attribute; its operator compiles to "never".
    const segmentMatch = op === 'segmentMatch';
    const kind = segmentMatch ? undefined : kindOf(clause.contextKind);
    const ref = refFor(segmentMatch ? 'key' : clause.attribute, kind);
    return {
      contextKind: kind ?? 'user',
      ref,
      // Exactly the one component `kind` ("kind" has no comma to join more by).
      isKindAttribute: ref.components.join() === 'kind',
      negate: clause.negate === true,
      segmentKeys: segmentMatch ? operands(values, asString) : undefined,
      matches: compileOperator(op, values),
    };
  });
}

function prepareOutcome(
  raw: VariationOrRollout | null | undefined,
  flagKey: string,
  salt: unknown,
): PreparedOutcome {
  if (raw === undefined || raw === null) return undefined;
  const { variation, rollout } = record(raw, 'fallthrough');
  if (typeof variation === 'number') return variation;
  if (rollout === undefined || rollout === null) return undefined;
  record(rollout, 'rollout');
  // Weighted variations are used as they are, once each is known to be an object.
  const variations = mapRecords(rollout.variations, 'variations', (wv) => wv);
  if (variations.length === 0) return undefined;
  const isExperiment = rollout.kind === 'experiment';
  return {
    isExperiment,
    variations,
    // Experiments always bucket by key, whatever bucketBy says.
    ...bucketing(
      isExperiment ? undefined : rollout.bucketBy,
      kindOf(rollout.contextKind),
      bucketPrefix(flagKey, salt, rollout.seed),
    ),
  };
}

/**
 * Target entries as prepared targets, each of `kind` (the older user-only lists) or of its own
 * context kind. With `users`, a user entry stands for the first `users` target of the same
 * variation, its own values ignored (none there, none matched), as a flag's `contextTargets`
 * entries do for its `targets`.
 */
function prepareTargets(
  raw: unknown,
  what: string,
  kind?: string,
  users?: PreparedTarget[],
): PreparedTarget[] {
  return mapRecords(raw as ContextTarget[], what, ({ contextKind, values, variation }) => {
    const targetKind = kind ?? kindOf(contextKind) ?? 'user';
    const keys =
      users && targetKind === 'user'
        ? (users.find((u) => u.variation === variation)?.keys ?? new Set<string>())
        : keySet(values);
    return { contextKind: targetKind, keys, variation };
  });
}

/** With context targets present, their order rules; otherwise the user targets'. */
function flagTargets(flag: FlagData): PreparedTarget[] {
  const users = prepareTargets(flag.targets, 'targets', 'user');
  const targets = prepareTargets(flag.contextTargets, 'contextTargets', undefined, users);
  return targets.length > 0 ? targets : users;
}

export function prepareFlag(raw: FlagData): PreparedFlag {
  const flag = record(raw, 'flag');
  const { key, salt } = flag;
  if (typeof key !== 'string') malformed('key');
  const prerequisites = mapRecords(flag.prerequisites, 'prerequisites', ({ key, variation }) => {
    if (typeof key !== 'string') malformed('prerequisites');
    // The reason a failure gives, made once.
    const reason = Object.freeze({ kind: 'PREREQUISITE_FAILED' as const, prerequisiteKey: key });
    return { key, variation, reason };
  });
  return {
    key,
    version: asNumber(flag.version) ?? 0,
    on: flag.on === true,
    variations: list(flag.variations, 'variations'),
    offVariation: flag.offVariation,
    prerequisites,
    targets: flagTargets(flag),
    rules: mapRecords(flag.rules, 'rules', (rule, ruleIndex) => {
      // `ruleId` only when the rule has one: reasons are serialized as they are.
      const reason: LDEvaluationReason = {
        kind: 'RULE_MATCH',
        ruleIndex,
        ...(typeof rule.id === 'string' && { ruleId: rule.id }),
      };
      return {
        clauses: prepareClauses(rule.clauses),
        outcome: prepareOutcome(rule, key, salt),
        reason: Object.freeze(reason),
        experimentReason: Object.freeze({ ...reason, inExperiment: true }),
        trackEvents: rule.trackEvents === true,
      };
    }),
    fallthrough: {
      clauses: [],
      outcome: prepareOutcome(flag.fallthrough, key, salt),
      reason: FALLTHROUGH,
      experimentReason: FALLTHROUGH_IN_EXPERIMENT,
      trackEvents: flag.trackEventsFallthrough === true,
    },
    trackEvents: flag.trackEvents === true,
    debugEventsUntilDate: asNumber(flag.debugEventsUntilDate),
    excludeFromSummaries: flag.excludeFromSummaries === true,
    samplingRatio: asNumber(flag.samplingRatio),
  };
}

/** A segment's user-key list and per-kind lists, as targets in the order they are checked. */
function segmentTargets(userKeys: unknown, contextTargets: unknown): PreparedTarget[] {
  const targets = prepareTargets(contextTargets, 'contextTargets');
  const keys = keySet(userKeys);
  if (keys.size > 0) targets.unshift({ contextKind: 'user', keys, variation: 0 });
  return targets;
}

export function prepareSegment(raw: SegmentData): PreparedSegment {
  const segment = record(raw, 'segment');
  const key = segment.key;
  if (typeof key !== 'string') malformed('key');
  const big = segment.unbounded === true;
  return {
    key,
    included: segmentTargets(segment.included, segment.includedContexts),
    excluded: segmentTargets(segment.excluded, segment.excludedContexts),
    rules:
      big && !segment.generation
        ? []
        : mapRecords(segment.rules, 'rules', (rule) => ({
            clauses: prepareClauses(rule.clauses),
            weight: asNumber(rule.weight),
            ...bucketing(rule.bucketBy, kindOf(rule.rolloutContextKind), bucketPrefix(key, segment.salt, undefined)),
          })),
    unbounded: big ? (kindOf(segment.unboundedContextKind) ?? 'user') : undefined,
  };
}
