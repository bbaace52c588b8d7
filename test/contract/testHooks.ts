/**
 * The harness's test hooks: each stage reports to the hook's callback URI and returns the data the
 * harness configured, or throws the error it configured for that stage (without reporting).
 */
import type { LDEvaluationSeriesData, LDHook } from '../../src/index.js';

type Stage = 'beforeEvaluation' | 'afterEvaluation' | 'afterTrack';

export interface HookParams {
  name: string;
  callbackUri: string;
  data?: Partial<Record<Stage, Record<string, unknown> | null>> | null;
  errors?: Partial<Record<Stage, string | null>> | null;
}

/**
 * Reports leave one at a time, in the order the stages ran: the harness orders calls by arrival,
 * and its ordering tests check the SDK's execution order.
 */
export class CallbackQueue {
  private tail: Promise<void> = Promise.resolve();

  post(uri: string, body: unknown): void {
    const json = JSON.stringify(body);
    this.tail = this.tail.then(() =>
      fetch(uri, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: json,
        signal: AbortSignal.timeout(5000),
      }).then(
        (res) => void res.body?.cancel(),
        (err: unknown) => console.error(`hook callback to ${uri} failed: ${String(err)}`),
      ),
    );
  }

  /** Settles once every report queued so far has been sent. */
  drained(): Promise<void> {
    return this.tail;
  }
}

export function makeTestHook(params: HookParams, queue: CallbackQueue): LDHook {
  const failure = (stage: Stage) => {
    const message = params.errors?.[stage];
    if (typeof message === 'string') throw new Error(message);
  };
  const extra = (stage: Stage) => params.data?.[stage] ?? {};
  return {
    getMetadata: () => ({ name: params.name }),
    beforeEvaluation(seriesContext, data): LDEvaluationSeriesData {
      failure('beforeEvaluation');
      queue.post(params.callbackUri, {
        evaluationSeriesContext: seriesContext,
        evaluationSeriesData: data,
        stage: 'beforeEvaluation',
      });
      return { ...data, ...extra('beforeEvaluation') };
    },
    afterEvaluation(seriesContext, data, detail): LDEvaluationSeriesData {
      failure('afterEvaluation');
      queue.post(params.callbackUri, {
        evaluationSeriesContext: seriesContext,
        evaluationSeriesData: data,
        evaluationDetail: detail,
        stage: 'afterEvaluation',
      });
      return { ...data, ...extra('afterEvaluation') };
    },
    afterTrack(seriesContext): void {
      failure('afterTrack');
      queue.post(params.callbackUri, { trackSeriesContext: seriesContext, stage: 'afterTrack' });
    },
  };
}
