/**
 * Hooks, in the shape of LaunchDarkly's server SDKs: code of the application's own that runs
 * around each evaluation (`beforeEvaluation`, `afterEvaluation`) and after each `track`
 * (`afterTrack`), e.g. for tracing. A hook that throws is logged and skipped; it never changes
 * what the caller gets.
 */
import type { LDLogger } from './logging.js';
import type { LDContext, LDEvaluationDetail, LDFlagValue } from './apiTypes.js';

export interface LDHookMetadata {
  readonly name: string;
}

/** What an evaluation series is about; the same object is passed to every stage of it. */
export interface LDEvaluationSeriesContext {
  readonly flagKey: string;
  readonly context: LDContext;
  readonly defaultValue: LDFlagValue;
  /** The client method called, e.g. `LDClient.boolVariationDetail`. */
  readonly method: string;
  /** The LaunchDarkly environment the flags came from, once known. */
  readonly environmentId?: string;
}

/** Data a hook hands from its `beforeEvaluation` to its own `afterEvaluation`. */
export type LDEvaluationSeriesData = Readonly<Record<string, unknown>>;

/** What a `track` call recorded. */
export interface LDTrackSeriesContext {
  readonly key: string;
  readonly context: LDContext;
  readonly data?: LDFlagValue;
  readonly metricValue?: number;
  readonly environmentId?: string;
}

export interface LDHook {
  getMetadata?(): LDHookMetadata;
  /** Runs before the evaluation, in registration order; returns the data for `afterEvaluation`. */
  beforeEvaluation?(seriesContext: LDEvaluationSeriesContext, data: LDEvaluationSeriesData): LDEvaluationSeriesData;
  /** Runs after the evaluation, in reverse registration order. */
  afterEvaluation?(
    seriesContext: LDEvaluationSeriesContext,
    data: LDEvaluationSeriesData,
    detail: LDEvaluationDetail,
  ): LDEvaluationSeriesData;
  /** Runs after a `track` call, in registration order. */
  afterTrack?(seriesContext: LDTrackSeriesContext): void;
}

const EMPTY: LDEvaluationSeriesData = Object.freeze({});

type Stage = 'beforeEvaluation' | 'afterEvaluation' | 'afterTrack';

/** Runs the configured hooks; the client makes one only when there are hooks to run. */
export class HookRunner {
  readonly #hooks: readonly LDHook[];
  readonly #logger: LDLogger;

  constructor(hooks: readonly LDHook[], logger: LDLogger) {
    this.#hooks = hooks;
    this.#logger = logger;
  }

  evaluation(series: LDEvaluationSeriesContext, evaluate: () => LDEvaluationDetail): LDEvaluationDetail {
    const hooks = this.#hooks;
    const data = hooks.map((hook) => this.#stage(hook, 'beforeEvaluation', series, EMPTY));
    const detail = evaluate();
    for (let i = hooks.length; i--; ) this.#stage(hooks[i], 'afterEvaluation', series, data[i], detail);
    return detail;
  }

  track(series: LDTrackSeriesContext): void {
    for (const hook of this.#hooks) this.#stage(hook, 'afterTrack', series);
  }

  /** One stage of one hook, if it has it; a throw becomes a log line and empty data. */
  #stage(hook: LDHook, stage: Stage, ...args: unknown[]): LDEvaluationSeriesData {
    try {
      // Called as a method of the hook, which may use `this`.
      return (hook[stage] as ((...a: unknown[]) => LDEvaluationSeriesData | void) | undefined)?.(...args) ?? EMPTY;
    } catch (err) {
      let name = 'unnamed';
      try {
        name = hook.getMetadata?.().name ?? name;
      } catch {
        // The name is only for the log line.
      }
      this.#logger.error(`hook "${name}" failed in ${stage}: ${err instanceof Error ? err.message : String(err)}`);
      return EMPTY;
    }
  }
}
