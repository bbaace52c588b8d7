/**
 * The flag and segment data LaunchDarkly serves from `/sdk/latest-all` and the stream, as it
 * arrives on the wire. Fields are optional wherever LaunchDarkly omits them; the evaluator
 * treats anything of the wrong shape as a malformed flag rather than trusting these types.
 */

/** Any JSON value a variation, attribute or clause value can hold. */
export type LDJsonValue =
  | null
  | boolean
  | number
  | string
  | LDJsonValue[]
  | { [key: string]: LDJsonValue };

export interface WeightedVariation {
  variation: number;
  /** Out of 100000. */
  weight: number;
  /** An experiment bucket that does not count towards the experiment. */
  untracked?: boolean;
}

export interface Rollout {
  kind?: 'rollout' | 'experiment';
  variations: WeightedVariation[];
  bucketBy?: string;
  contextKind?: string;
  seed?: number | null;
}

export interface VariationOrRollout {
  variation?: number | null;
  rollout?: Rollout | null;
}

export type ClauseOp =
  | 'in'
  | 'endsWith'
  | 'startsWith'
  | 'matches'
  | 'contains'
  | 'lessThan'
  | 'lessThanOrEqual'
  | 'greaterThan'
  | 'greaterThanOrEqual'
  | 'before'
  | 'after'
  | 'semVerEqual'
  | 'semVerLessThan'
  | 'semVerGreaterThan'
  | 'segmentMatch';

export interface Clause {
  /** Absent means `user`, and the attribute is then a plain name, not a reference. */
  contextKind?: string;
  attribute: string;
  op: ClauseOp | string;
  values: LDJsonValue[];
  negate?: boolean;
}

export interface FlagRule extends VariationOrRollout {
  id?: string;
  clauses: Clause[];
  trackEvents?: boolean;
}

export interface Prerequisite {
  key: string;
  variation: number;
}

export interface Target {
  values: string[];
  variation: number;
}

export interface ContextTarget extends Target {
  contextKind: string;
}

export interface ClientSideAvailability {
  usingMobileKey?: boolean;
  usingEnvironmentId?: boolean;
}

export interface FlagData {
  key: string;
  version: number;
  on: boolean;
  prerequisites?: Prerequisite[] | null;
  targets?: Target[] | null;
  contextTargets?: ContextTarget[] | null;
  rules?: FlagRule[] | null;
  fallthrough?: VariationOrRollout | null;
  offVariation?: number | null;
  variations?: LDJsonValue[] | null;
  clientSide?: boolean;
  clientSideAvailability?: ClientSideAvailability;
  salt?: string;
  trackEvents?: boolean;
  trackEventsFallthrough?: boolean;
  debugEventsUntilDate?: number | null;
  samplingRatio?: number;
  excludeFromSummaries?: boolean;
  deleted?: boolean;
}

export interface SegmentTarget {
  contextKind: string;
  values: string[];
}

export interface SegmentRule {
  id?: string;
  clauses: Clause[];
  /** Out of 100000; absent means every matching context is included. */
  weight?: number | null;
  bucketBy?: string;
  rolloutContextKind?: string;
}

export interface SegmentData {
  key: string;
  version: number;
  included?: string[] | null;
  excluded?: string[] | null;
  includedContexts?: SegmentTarget[] | null;
  excludedContexts?: SegmentTarget[] | null;
  rules?: SegmentRule[] | null;
  salt?: string;
  unbounded?: boolean;
  unboundedContextKind?: string;
  generation?: number | null;
  deleted?: boolean;
}

/** The body of `GET /sdk/latest-all`, and of a stream `put` event's `data`. */
export interface AllData {
  flags: Record<string, FlagData>;
  segments: Record<string, SegmentData>;
}
