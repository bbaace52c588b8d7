/**
 * The all-flags state: every flag evaluated for one context, with the metadata a client-side SDK
 * needs when it is bootstrapped from it (to send the same analytics events a server would).
 */
import type { Context } from './context.js';
import type { HeldData } from './data/dataSet.js';
import { isRecord } from './util/json.js';
import { errorResult, type EvalMemo, type EvalResult, type FlagEvaluator } from './evaluation/evaluator.js';
import { asNumber } from './evaluation/operators.js';
import type { LDEvaluationReason, LDFlagValue } from './apiTypes.js';
import type { FlagData } from './wire.js';

export interface LDFlagsStateOptions {
  /** Only flags made available to client-side SDKs that use the environment's client-side ID. */
  clientSideOnly?: boolean;
  /** Include each flag's evaluation reason. */
  withReasons?: boolean;
  /**
   * Omit `version` and `reason` for flags that need no analytics detail: not tracked, not part
   * of an experiment and not being debugged. Saves bandwidth; `variation` is always kept.
   */
  detailsOnlyForTrackedFlags?: boolean;
}

/**
 * One flag's entry under `$flagsState`. Absent fields are omitted, never null; booleans appear
 * only when true.
 */
export interface LDFlagMetadata {
  /** The variation index; absent when the evaluation gave no variation. */
  variation?: number;
  /** The flag version; absent only under `detailsOnlyForTrackedFlags`. */
  version?: number;
  reason?: LDEvaluationReason;
  trackEvents?: true;
  /** The evaluation is part of an experiment: events must carry the reason. */
  trackReason?: true;
  debugEventsUntilDate?: number;
  /** Keys of the flag's direct prerequisites that were evaluated, in order. */
  prerequisites?: string[];
}

/**
 * The bootstrap JSON, as LaunchDarkly's server SDKs emit it:
 * `{ [flagKey]: value, $flagsState: { [flagKey]: LDFlagMetadata }, $valid: boolean }`.
 */
export interface LDFlagsStateJSON {
  [flagKey: string]: LDFlagValue | Record<string, LDFlagMetadata>;
  $flagsState: Record<string, LDFlagMetadata>;
  $valid: boolean;
}

export class LDFlagsState {
  readonly #flags: Map<string, [LDFlagValue, LDFlagMetadata]>;

  /** @internal Built by `buildAllFlagsState`, or by the client when nothing could be evaluated. */
  constructor(
    /** False when no flags could be evaluated: client not ready, or an invalid context. */
    readonly valid: boolean,
    // Value and metadata by key: a map is quicker to fill than an object, and in it a key reads
    // only what was put under it; one map is quicker to fill than two.
    flags = new Map<string, [LDFlagValue, LDFlagMetadata]>(),
  ) {
    this.#flags = flags;
  }

  /** The flag's value (null when its evaluation gave none), or undefined if not in the state. */
  getFlagValue(key: string): LDFlagValue | undefined {
    return this.#flags.get(key)?.[0];
  }

  /** The reason, when the state holds one for the flag (see `withReasons`). */
  getFlagReason(key: string): LDEvaluationReason | undefined {
    return this.#flags.get(key)?.[1].reason;
  }

  /** Every flag key and value, as a plain object of its own. */
  allValues(): Record<string, LDFlagValue> {
    // Entries define each key as an own property, `__proto__` included.
    return Object.fromEntries(Array.from(this.#flags, ([key, [value]]) => [key, value]));
  }

  toJSON(): LDFlagsStateJSON {
    return Object.assign(this.allValues(), {
      $flagsState: Object.fromEntries(Array.from(this.#flags, ([key, [, metadata]]) => [key, metadata])),
      $valid: this.valid,
    }) as LDFlagsStateJSON;
  }
}

/** The fields metadata needs, read alike from a prepared flag or a raw one. */
type FlagFields = { version?: unknown; trackEvents?: unknown; debugEventsUntilDate?: unknown };

/**
 * `clientSideAvailability.usingEnvironmentId`, or the older `clientSide` when the flag predates
 * `clientSideAvailability` (LaunchDarkly's Go, Java and .NET SDKs read it that way).
 */
function availableToClientSide(raw: FlagData): boolean {
  const availability: unknown = raw.clientSideAvailability;
  if (isRecord(availability)) return availability.usingEnvironmentId === true;
  return raw.clientSide === true;
}

/**
 * Evaluates every flag in `data` for `context`. Never throws: a flag that cannot be evaluated is
 * included with a null value and an ERROR reason, as LaunchDarkly's SDKs do.
 */
export function buildAllFlagsState(
  data: HeldData,
  evaluator: FlagEvaluator,
  context: Context,
  options: LDFlagsStateOptions,
  now: number = Date.now(),
): LDFlagsState {
  const clientSideOnly = options.clientSideOnly === true;
  const withReasons = options.withReasons === true;
  const detailsOnly = options.detailsOnlyForTrackedFlags === true;
  const flags = new Map<string, [LDFlagValue, LDFlagMetadata]>();
  // A flag that is a prerequisite of others is evaluated once for the context, not once for each.
  const memo: EvalMemo = new Map();

  for (const key of data.flagKeys()) {
    // Filter on the raw item so server-only flags are never prepared.
    if (clientSideOnly && !availableToClientSide(data.item('flags', key) as FlagData)) continue;

    let result: EvalResult;
    try {
      // A key from flagKeys() always has a flag. Only preparing it can throw (a
      // MalformedFlagError): evaluate never does.
      result = evaluator.evaluate(data.flag(key)!, context, true, memo);
    } catch {
      result = errorResult('MALFORMED_FLAG');
    }

    // A flag that could not be prepared is described from its raw item, like any failed evaluation.
    const item: FlagFields = result.flag ?? (data.item('flags', key) as FlagData);
    const debugUntil = asNumber(item.debugEventsUntilDate);
    const trackReason = result.trackReason;
    const trackEvents = item.trackEvents === true || trackReason;
    const debugging = debugUntil !== undefined && debugUntil > now;
    const omitDetails = detailsOnly && !trackEvents && !debugging;
    // Fields are added in the order LaunchDarkly's SDKs serialise them.
    const meta: LDFlagMetadata = {};
    if (result.variationIndex !== undefined) meta.variation = result.variationIndex;
    if (!omitDetails) meta.version = asNumber(item.version) ?? 0;
    // An experiment's reason is needed for its events, so it is kept even without `withReasons`.
    if (trackReason || (withReasons && !omitDetails)) meta.reason = result.reason;
    if (trackEvents) meta.trackEvents = true;
    if (trackReason) meta.trackReason = true;
    if (debugUntil !== undefined) meta.debugEventsUntilDate = debugUntil;
    // The direct prerequisites evaluated, which always carry their flags.
    if (result.prerequisites?.length) meta.prerequisites = result.prerequisites.map((prerequisite) => prerequisite.flag!.key);
    flags.set(key, [result.value, meta]);
  }
  return new LDFlagsState(true, flags);
}
