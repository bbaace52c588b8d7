/**
 * The client: synchronous evaluation over the data set it holds.
 */
import { isContextError, toContext } from './context.js';
import { DataSet } from './data/dataSet.js';
import { Evaluator, errorResult, type EvalResult } from './evaluation/evaluator.js';
import { MalformedFlagError } from './evaluation/errors.js';
import type { PreparedFlag } from './evaluation/prepare.js';
import { errorReason } from './evaluation/reasons.js';
import { basicLogger, type LDLogger } from './logging.js';
import type { LDContext, LDErrorKind, LDEvaluationDetail, LDFlagValue } from './types.js';
import type { AllData } from './wire.js';

export interface LDOptions {
  /** Flags and segments to evaluate, as a `/sdk/latest-all` body: an object or its JSON text. */
  payload?: string | AllData;
  /** Where log lines go; defaults to `console` at level `info`. */
  logger?: LDLogger;
}

/** The value types of the typed calls; `undefined` means any JSON value. */
type ValueType = 'boolean' | 'number' | 'string' | undefined;

export class LDClient {
  private data: DataSet | undefined;
  private evaluator: Evaluator | undefined;
  private readonly logger: LDLogger;
  private readonly ready: Promise<void>;

  constructor(sdkKey: string, options: LDOptions = {}) {
    if (typeof sdkKey !== 'string') throw new TypeError('sdkKey must be a string');
    this.logger = options.logger ?? basicLogger();
    if (options.payload !== undefined) {
      try {
        this.setData(DataSet.fromPayload(options.payload));
        this.ready = Promise.resolve();
      } catch (err) {
        const message = `option "payload" could not be loaded: ${(err as Error).message}`;
        this.logger.error(message);
        this.ready = Promise.reject(new Error(message));
        this.ready.catch(() => {});
      }
    } else {
      this.ready = Promise.reject(new Error('no flag data source was configured'));
      this.ready.catch(() => {});
    }
  }

  private setData(data: DataSet): void {
    this.data = data;
    this.evaluator = new Evaluator(data);
  }

  /** Resolves once flag data is loaded; rejects with the reason when it cannot be. */
  async waitForInitialization(): Promise<this> {
    await this.ready;
    return this;
  }

  /** True once flag data has been loaded. */
  initialized(): boolean {
    return this.data !== undefined;
  }

  variation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.evaluateDetail(key, context, defaultValue, undefined).value;
  }

  variationDetail(
    key: string,
    context: LDContext,
    defaultValue: LDFlagValue,
  ): LDEvaluationDetail<LDFlagValue> {
    return this.evaluateDetail(key, context, defaultValue, undefined);
  }

  boolVariation(key: string, context: LDContext, defaultValue: boolean): boolean {
    return this.evaluateDetail(key, context, defaultValue, 'boolean').value as boolean;
  }

  boolVariationDetail(key: string, context: LDContext, defaultValue: boolean): LDEvaluationDetail<boolean> {
    return this.evaluateDetail(key, context, defaultValue, 'boolean') as LDEvaluationDetail<boolean>;
  }

  numberVariation(key: string, context: LDContext, defaultValue: number): number {
    return this.evaluateDetail(key, context, defaultValue, 'number').value as number;
  }

  numberVariationDetail(key: string, context: LDContext, defaultValue: number): LDEvaluationDetail<number> {
    return this.evaluateDetail(key, context, defaultValue, 'number') as LDEvaluationDetail<number>;
  }

  stringVariation(key: string, context: LDContext, defaultValue: string): string {
    return this.evaluateDetail(key, context, defaultValue, 'string').value as string;
  }

  stringVariationDetail(key: string, context: LDContext, defaultValue: string): LDEvaluationDetail<string> {
    return this.evaluateDetail(key, context, defaultValue, 'string') as LDEvaluationDetail<string>;
  }

  jsonVariation(key: string, context: LDContext, defaultValue: LDFlagValue): LDFlagValue {
    return this.evaluateDetail(key, context, defaultValue, undefined).value;
  }

  jsonVariationDetail(key: string, context: LDContext, defaultValue: LDFlagValue): LDEvaluationDetail<LDFlagValue> {
    return this.evaluateDetail(key, context, defaultValue, undefined);
  }

  /** Stops whatever the client started. */
  async close(): Promise<void> {
    // Nothing runs in the background yet.
  }

  private evaluateDetail(
    key: string,
    input: LDContext,
    defaultValue: LDFlagValue,
    type: ValueType,
  ): LDEvaluationDetail {
    const evaluated = this.evaluateRaw(key, input);
    const value = evaluated.value;
    if (value === null) {
      return { value: defaultValue, variationIndex: undefined, reason: evaluated.reason };
    }
    if (type !== undefined && typeof value !== type) {
      return { value: defaultValue, variationIndex: undefined, reason: errorReason('WRONG_TYPE') };
    }
    return { value, variationIndex: evaluated.variationIndex, reason: evaluated.reason };
  }

  private evaluateRaw(key: string, input: LDContext): EvalResult {
    const data = this.data;
    if (data === undefined) return this.fail('CLIENT_NOT_READY', key);
    const context = toContext(input);
    if (isContextError(context)) {
      this.logger.warn(`flag "${key}" evaluated with an invalid context: ${context.error}`);
      return errorResult('USER_NOT_SPECIFIED');
    }
    let flag: PreparedFlag | undefined;
    try {
      flag = data.flag(key);
    } catch (err) {
      if (!(err instanceof MalformedFlagError)) throw err;
      this.logger.error(`flag "${key}" is malformed: ${err.message}`);
      return errorResult('MALFORMED_FLAG');
    }
    if (flag === undefined) return this.fail('FLAG_NOT_FOUND', key);
    const evaluated = (this.evaluator as Evaluator).evaluate(flag, context);
    if (evaluated.reason.kind === 'ERROR') {
      this.logger.error(`flag "${flag.key}" could not be evaluated: ${evaluated.reason.errorKind}`);
    }
    return evaluated;
  }

  private fail(kind: LDErrorKind, key: string): EvalResult {
    this.logger.warn(
      kind === 'CLIENT_NOT_READY'
        ? `flag "${key}" evaluated before flag data was loaded; returning the default`
        : `unknown flag "${key}"; returning the default`,
    );
    return errorResult(kind);
  }
}

/** Creates a client. With an inline `payload` it is ready at once. */
export function init(sdkKey: string, options?: LDOptions): LDClient {
  return new LDClient(sdkKey, options);
}
