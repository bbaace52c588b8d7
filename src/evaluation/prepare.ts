/**
 * Compiles a flag or segment, the first time it is evaluated, into the form the evaluator walks:
 * target key sets, clause predicates, attribute references, rollout prefixes and the reasons it
 * will return. Anything structurally wrong throws MalformedFlagError here, once.
 */
import { refFor, type AttributeRef } from '../attributeRef.js';
import type { LDEvaluationReason } from '../types.js';
import type {
  Clause,
  FlagData,
  LDJsonValue,
  Prerequisite,
  SegmentData,
  SegmentTarget,
  VariationOrRollout,
  WeightedVariation,
} from '../wire.js';
import { bucketPrefix } from './bucketing.js';
import { compileOperator, type ValueMatcher } from './operators.js';
import { MalformedFlagError } from './errors.js';

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

export interface PreparedRollout {
  readonly isExperiment: boolean;
  readonly variations: readonly WeightedVariation[];
  readonly contextKind: string;
  readonly ref: AttributeRef;
  readonly prefix: string;
}

/** A fixed variation, or a rollout; neither means the flag is malformed there. */
export interface PreparedOutcome {
  readonly variation: number | undefined;
  readonly rollout: PreparedRollout | undefined;
}

export interface PreparedRule {
  readonly clauses: readonly PreparedClause[];
  readonly outcome: PreparedOutcome;
  readonly reason: LDEvaluationReason;
  readonly experimentReason: LDEvaluationReason;
  readonly trackEvents: boolean;
}

export interface PreparedTarget {
  readonly contextKind: string;
  readonly keys: ReadonlySet<string>;
  readonly variation: number;
}

export interface PreparedFlag {
  readonly data: FlagData;
  readonly key: string;
  readonly version: number;
  readonly on: boolean;
  readonly variations: readonly LDJsonValue[];
  readonly offVariation: unknown;
  readonly prerequisites: readonly Prerequisite[];
  readonly targets: readonly PreparedTarget[];
  readonly rules: readonly PreparedRule[];
  readonly fallthrough: PreparedOutcome;
  readonly trackEvents: boolean;
  readonly trackEventsFallthrough: boolean;
  readonly debugEventsUntilDate: number | undefined;
  /** Leave this flag out of summary events. */
  readonly excludeFromSummaries: boolean;
  /** Keep one in this many of the flag's feature and debug events; undefined keeps all. */
  readonly samplingRatio: number | undefined;
  /** Reasons for prerequisite failures, made once per prerequisite. */
  readonly prerequisiteReasons: readonly LDEvaluationReason[];
}

export interface PreparedSegmentRule {
  readonly clauses: readonly PreparedClause[];
  /** Out of 100000, or undefined when the rule includes every match. */
  readonly weight: number | undefined;
  readonly contextKind: string;
  readonly ref: AttributeRef;
  readonly prefix: string;
}

export interface PreparedSegment {
  readonly data: SegmentData;
  readonly key: string;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly includedContexts: readonly PreparedTarget[];
  readonly excludedContexts: readonly PreparedTarget[];
  readonly rules: readonly PreparedSegmentRule[];
  /** Big segments need a big-segment store, which this SDK does not have. */
  readonly unbounded: boolean;
}

function fail(where: string): never {
  throw new MalformedFlagError(where);
}

function arrayOrEmpty<T>(value: T[] | null | undefined, where: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${where} is not an array`);
  return value;
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} is not an object`);
  }
  return value as Record<string, unknown>;
}

function stringSet(values: unknown, where: string): Set<string> {
  const set = new Set<string>();
  for (const v of arrayOrEmpty(values as unknown[] | undefined, where)) {
    if (typeof v === 'string') set.add(v);
  }
  return set;
}

function optionalKind(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(`${where} is not a string`);
  return value;
}

function prepareClause(raw: Clause, where: string): PreparedClause {
  const clause = objectAt(raw, where) as unknown as Clause;
  const values = arrayOrEmpty(clause.values, `${where}.values`);
  const op = clause.op;
  if (typeof op !== 'string') fail(`${where}.op is not a string`);
  const negate = clause.negate === true;
  if (op === 'segmentMatch') {
    return {
      contextKind: 'user',
      ref: refFor('key', undefined),
      isKindAttribute: false,
      negate,
      segmentKeys: values.filter((v): v is string => typeof v === 'string'),
      matches: () => false,
    };
  }
  const kind = optionalKind(clause.contextKind, `${where}.contextKind`);
  const ref = refFor(clause.attribute, kind);
  return {
    contextKind: kind ?? 'user',
    ref,
    isKindAttribute: ref.valid && ref.components.length === 1 && ref.components[0] === 'kind',
    negate,
    segmentKeys: undefined,
    matches: compileOperator(op, values),
  };
}

function prepareClauses(raw: Clause[] | undefined, where: string): PreparedClause[] {
  return arrayOrEmpty(raw, where).map((c, i) => prepareClause(c, `${where}[${i}]`));
}

function prepareOutcome(
  raw: VariationOrRollout | null | undefined,
  flagKey: string,
  salt: unknown,
  where: string,
): PreparedOutcome {
  if (raw === undefined || raw === null) return { variation: undefined, rollout: undefined };
  const vr = objectAt(raw, where) as VariationOrRollout;
  if (typeof vr.variation === 'number') return { variation: vr.variation, rollout: undefined };
  const rollout = vr.rollout;
  if (rollout === undefined || rollout === null) return { variation: undefined, rollout: undefined };
  objectAt(rollout, `${where}.rollout`);
  const variations = arrayOrEmpty(rollout.variations, `${where}.rollout.variations`);
  for (const wv of variations) objectAt(wv, `${where}.rollout.variations[]`);
  if (variations.length === 0) return { variation: undefined, rollout: undefined };
  const isExperiment = rollout.kind === 'experiment';
  const kind = optionalKind(rollout.contextKind, `${where}.rollout.contextKind`);
  // Experiments always bucket by key, whatever bucketBy says.
  const bucketBy = !isExperiment && typeof rollout.bucketBy === 'string' ? rollout.bucketBy : 'key';
  return {
    variation: undefined,
    rollout: {
      isExperiment,
      variations,
      contextKind: kind ?? 'user',
      ref: refFor(bucketBy, kind),
      prefix: bucketPrefix(flagKey, salt, rollout.seed),
    },
  };
}

function prepareTargets(flag: FlagData): PreparedTarget[] {
  const userTargets = arrayOrEmpty(flag.targets, 'targets').map((t, i) => {
    const target = objectAt(t, `targets[${i}]`);
    return {
      contextKind: 'user',
      keys: stringSet(target.values, `targets[${i}].values`),
      variation: target.variation as number,
    };
  });
  const contextTargets = arrayOrEmpty(flag.contextTargets, 'contextTargets');
  if (contextTargets.length === 0) return userTargets;
  // With context targets present, their order rules; an empty user entry stands for the
  // `targets` list of the same variation.
  return contextTargets.map((t, i) => {
    const target = objectAt(t, `contextTargets[${i}]`);
    const kind = optionalKind(target.contextKind, `contextTargets[${i}].contextKind`) ?? 'user';
    const values = arrayOrEmpty(target.values as unknown[], `contextTargets[${i}].values`);
    if (kind === 'user' && values.length === 0) {
      const match = userTargets.find((u) => u.variation === target.variation);
      return { contextKind: 'user', keys: match ? match.keys : new Set<string>(), variation: target.variation as number };
    }
    return {
      contextKind: kind,
      keys: stringSet(values, `contextTargets[${i}].values`),
      variation: target.variation as number,
    };
  });
}

export function prepareFlag(raw: FlagData): PreparedFlag {
  const flag = objectAt(raw, 'flag') as unknown as FlagData;
  const key = flag.key;
  if (typeof key !== 'string') fail('flag key is not a string');
  const variations = arrayOrEmpty(flag.variations, 'variations');
  const prerequisites = arrayOrEmpty(flag.prerequisites, 'prerequisites');
  for (const p of prerequisites) {
    const prereq = objectAt(p, 'prerequisites[]');
    if (typeof prereq.key !== 'string') fail('prerequisite key is not a string');
  }
  const rules = arrayOrEmpty(flag.rules, 'rules').map((r, i): PreparedRule => {
    const rule = objectAt(r, `rules[${i}]`);
    const ruleId = typeof rule.id === 'string' ? rule.id : undefined;
    const reason: LDEvaluationReason =
      ruleId === undefined
        ? { kind: 'RULE_MATCH', ruleIndex: i }
        : { kind: 'RULE_MATCH', ruleIndex: i, ruleId };
    return {
      clauses: prepareClauses(rule.clauses as Clause[], `rules[${i}].clauses`),
      outcome: prepareOutcome(rule as VariationOrRollout, key, flag.salt, `rules[${i}]`),
      reason: Object.freeze(reason),
      experimentReason: Object.freeze({ ...reason, inExperiment: true as const }),
      trackEvents: rule.trackEvents === true,
    };
  });
  return {
    data: flag,
    key,
    version: typeof flag.version === 'number' ? flag.version : 0,
    on: flag.on === true,
    variations,
    offVariation: flag.offVariation,
    prerequisites,
    targets: prepareTargets(flag),
    rules,
    fallthrough: prepareOutcome(flag.fallthrough, key, flag.salt, 'fallthrough'),
    trackEvents: flag.trackEvents === true,
    trackEventsFallthrough: flag.trackEventsFallthrough === true,
    debugEventsUntilDate:
      typeof flag.debugEventsUntilDate === 'number' ? flag.debugEventsUntilDate : undefined,
    excludeFromSummaries: flag.excludeFromSummaries === true,
    samplingRatio: typeof flag.samplingRatio === 'number' ? flag.samplingRatio : undefined,
    prerequisiteReasons: prerequisites.map((p) =>
      Object.freeze({ kind: 'PREREQUISITE_FAILED' as const, prerequisiteKey: p.key }),
    ),
  };
}

function prepareSegmentTargets(raw: SegmentTarget[] | null | undefined, where: string): PreparedTarget[] {
  return arrayOrEmpty(raw, where).map((t, i) => {
    const target = objectAt(t, `${where}[${i}]`);
    return {
      contextKind: optionalKind(target.contextKind, `${where}[${i}].contextKind`) ?? 'user',
      keys: stringSet(target.values, `${where}[${i}].values`),
      variation: 0,
    };
  });
}

export function prepareSegment(raw: SegmentData): PreparedSegment {
  const segment = objectAt(raw, 'segment') as unknown as SegmentData;
  const key = segment.key;
  if (typeof key !== 'string') fail('segment key is not a string');
  const rules = arrayOrEmpty(segment.rules, 'segment rules').map((r, i): PreparedSegmentRule => {
    const rule = objectAt(r, `segment rules[${i}]`);
    const kind = optionalKind(rule.rolloutContextKind, `segment rules[${i}].rolloutContextKind`);
    const bucketBy = typeof rule.bucketBy === 'string' ? rule.bucketBy : 'key';
    return {
      clauses: prepareClauses(rule.clauses as Clause[], `segment rules[${i}].clauses`),
      weight: typeof rule.weight === 'number' ? rule.weight : undefined,
      contextKind: kind ?? 'user',
      ref: refFor(bucketBy, kind),
      prefix: bucketPrefix(key, segment.salt, undefined),
    };
  });
  return {
    data: segment,
    key,
    included: stringSet(segment.included, 'included'),
    excluded: stringSet(segment.excluded, 'excluded'),
    includedContexts: prepareSegmentTargets(segment.includedContexts, 'includedContexts'),
    excludedContexts: prepareSegmentTargets(segment.excludedContexts, 'excludedContexts'),
    rules,
    unbounded: segment.unbounded === true,
  };
}
