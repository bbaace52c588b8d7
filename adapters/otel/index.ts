/**
 * ldedge/otel: an evaluation hook that records each flag evaluation as a `feature_flag.evaluation`
 * event on the active OpenTelemetry span, with the attributes of OpenTelemetry's semantic
 * conventions for feature flags. Needs `@opentelemetry/api` (a peer dependency) and a tracer
 * provider the application registers; without an active, recording span it does nothing.
 *
 *   const client = init(sdkKey, { hooks: [new TracingHook()] });
 */
import { trace, type Attributes, type AttributeValue } from '@opentelemetry/api';
import type {
  LDEvaluationDetail,
  LDEvaluationReason,
  LDEvaluationSeriesContext,
  LDEvaluationSeriesData,
  LDFlagValue,
  LDHook,
  LDHookMetadata,
} from '../../src/lean.js';
import { isContextError, toContext } from '../../src/context.js';
import { openFeatureErrorCode } from '../errorCodes.js';

/** The event name the semantic conventions give a flag evaluation. */
export const FEATURE_FLAG_EVENT = 'feature_flag.evaluation';

export interface TracingHookOptions {
  /**
   * Adds `feature_flag.result.value`. Off by default: values can be large or sensitive, and the
   * variant (the variation index) already says which value was served.
   */
  includeValue?: boolean;
  /** Adds `feature_flag.context.id`, the context's canonical key; default true. */
  includeContextId?: boolean;
  /** `feature_flag.provider.name`; default "LaunchDarkly". */
  providerName?: string;
}

/** LaunchDarkly reasons as the conventions' `feature_flag.result.reason` values. */
function reasonOf(reason: LDEvaluationReason): string {
  switch (reason.kind) {
    case 'OFF':
      return 'disabled';
    case 'FALLTHROUGH':
      return reason.inExperiment ? 'split' : 'default';
    case 'RULE_MATCH':
      return reason.inExperiment ? 'split' : 'targeting_match';
    case 'TARGET_MATCH':
    case 'PREREQUISITE_FAILED':
      return 'targeting_match';
    case 'ERROR':
      return 'error';
  }
}

/** Span attributes hold primitives (or arrays of them); other JSON values go as their JSON text. */
function attributeValue(value: LDFlagValue): AttributeValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : JSON.stringify(value);
}

export class TracingHook implements LDHook {
  readonly #includeValue: boolean;
  readonly #includeContextId: boolean;
  readonly #providerName: string;

  constructor(options: TracingHookOptions = {}) {
    if (options.providerName !== undefined && typeof options.providerName !== 'string') {
      throw new TypeError(`TracingHook: option "providerName" must be a string, got ${typeof options.providerName}`);
    }
    this.#includeValue = options.includeValue === true;
    this.#includeContextId = options.includeContextId !== false;
    this.#providerName = options.providerName ?? 'LaunchDarkly';
  }

  getMetadata(): LDHookMetadata {
    return { name: 'ldedge-opentelemetry-tracing' };
  }

  afterEvaluation(
    series: LDEvaluationSeriesContext,
    data: LDEvaluationSeriesData,
    detail: LDEvaluationDetail,
  ): LDEvaluationSeriesData {
    const span = trace.getActiveSpan();
    // Building attributes for a span that drops them would be wasted work on every evaluation.
    if (span === undefined || !span.isRecording()) return data;
    const reason = detail.reason;
    const attributes: Attributes = {
      'feature_flag.key': series.flagKey,
      'feature_flag.provider.name': this.#providerName,
      'feature_flag.result.reason': reasonOf(reason),
    };
    if (detail.variationIndex !== undefined) attributes['feature_flag.result.variant'] = String(detail.variationIndex);
    if (this.#includeValue) attributes['feature_flag.result.value'] = attributeValue(detail.value);
    if (this.#includeContextId) {
      const context = toContext(series.context);
      if (!isContextError(context)) attributes['feature_flag.context.id'] = context.canonicalKey;
    }
    if (series.environmentId !== undefined) attributes['feature_flag.set.id'] = series.environmentId;
    if (reason.kind === 'ERROR') attributes['error.type'] = openFeatureErrorCode(reason.errorKind).toLowerCase();
    span.addEvent(FEATURE_FLAG_EVENT, attributes);
    return data;
  }
}
