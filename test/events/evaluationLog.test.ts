// The event processor's log of evaluations: what is logged while it is being digested.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/validateOptions.js';
import { toContext, type Context } from '../../src/context.js';
import { DataSet } from '../../src/data/dataSet.js';
import { parseAllData } from '../../src/data/parseAllData.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { EventProcessor } from '../../src/events/processor.js';
import type { LDLogger } from '../../src/logging.js';

const flag = (key: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  key,
  version: 1,
  on: true,
  salt: key,
  variations: ['a', 'b'],
  offVariation: 0,
  fallthrough: { variation: 1 },
  ...extra,
});

const data = DataSet.from(
  parseAllData({ flags: { tracked: flag('tracked', { trackEvents: true }), plain: flag('plain') }, segments: {} }, 'flag data'),
);

function context(): Context {
  const c = toContext({ kind: 'user', key: 'u1' });
  if (typeof c === 'string') throw new Error(c);
  return c;
}

function evaluate(ep: EventProcessor, key: string): void {
  ep.recordEvaluation(key, context(), new Evaluator(data).evaluate(data.flag(key)!, context(), true), 'd', false);
}

describe('the evaluation log', () => {
  it('counts an evaluation logged while it is digested, once', async () => {
    const payloads: Record<string, unknown>[][] = [];
    let ep: EventProcessor | undefined;
    let evaluatedInWarn = 0;
    // A logger that evaluates: the queue-full warning comes while the log is being digested.
    const logger: LDLogger = {
      error() {},
      info() {},
      debug() {},
      warn() {
        evaluatedInWarn++;
        evaluate(ep!, 'plain');
      },
    };
    const config = makeConfig('sdk-key', {
      logger,
      capacity: 1,
      eventSender: {
        sendEvents: async (payload) => {
          payloads.push(JSON.parse(payload));
          return { outcome: 'success' };
        },
      },
    });
    ep = new EventProcessor(config, { now: () => 1000 });
    evaluate(ep, 'tracked');
    evaluate(ep, 'tracked');
    await ep.flush();
    expect(evaluatedInWarn).toBe(1);
    const summary = payloads.flat().find((e) => e.kind === 'summary') as {
      features: Record<string, { counters: { count: number }[] }>;
    };
    expect(Object.keys(summary.features)).toStrictEqual(['tracked', 'plain']);
    expect(summary.features.tracked.counters[0].count).toBe(2);
    expect(summary.features.plain.counters[0].count).toBe(1);
    await ep.close();
  });
});
