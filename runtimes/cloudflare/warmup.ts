/**
 * Runs the evaluation code once on a tiny built-in data set when the module loads. V8 compiles
 * functions on their first call; doing that here moves the cost from an isolate's first request
 * to its startup, which Cloudflare runs while the TLS handshake is still under way. Global scope
 * may not do I/O, use timers or draw random values, and this does none.
 */
import { basicLogger, init, type AllData, type LDContext } from '../../src/lean.js';

/**
 * A one-clause rule serving `true`. (Events need no warming: evaluating only logs them, and they
 * are made and sent after the response.)
 */
const rule = (op: string, attribute: string, value: unknown, contextKind?: string) => ({
  variation: 1,
  clauses: [{ contextKind, attribute, op, values: [value] }],
});

// Only what the evaluator reads: version, salt and offVariation are optional and these flags are on.
const flag = (key: string, more?: object) => ({ key, on: true, variations: [false, true], fallthrough: { variation: 1 }, ...more });

const DATA = {
  flags: {
    p: flag('p'),
    main: flag('main', {
      prerequisites: [{ key: 'p', variation: 1 }],
      targets: [{ values: ['t'], variation: 1 }],
      // A user entry without values defers to `targets`.
      contextTargets: [
        { contextKind: 'user', values: [], variation: 1 },
        { contextKind: 'org', values: ['t'], variation: 1 },
      ],
      // One rule per kind of operator (the others of a kind share its matcher code), each on an
      // attribute of the type it takes and matched by none of the contexts below, so that every
      // one runs for each of them; the last rule matches the multi-kind context.
      rules: [
        rule('segmentMatch', 'key', 's'),
        // A version string is a string too, so the string and version operators share one attribute.
        ...['in', 'startsWith', 'matches', 'semVerGreaterThan'].map((op) => rule(op, 'v', '9.0.0')),
        ...['before', 'lessThan'].map((op) => rule(op, 'n', 0)),
        rule('in', '/v', 'b', 'user'),
      ],
      fallthrough: { rollout: { variations: [0, 1].map((variation) => ({ variation, weight: 50000 })) } },
    }),
  },
  segments: { s: { key: 's', included: ['i'], rules: [rule('in', 'key', 'x')] } },
} as unknown as AllData;

export function warmUp(): void {
  try {
    // Evaluations are logged for events, never flushed: sending is I/O, which global scope may not do.
    // An object payload: JSON.parse is native code, with nothing to warm up.
    const client = init('warm-up', { payload: DATA, logger: basicLogger('none') });
    for (const context of [
      { kind: 'user', key: 'u', v: '1.0.0', n: 0 },
      { kind: 'multi', user: { key: 'v', v: 'b' }, org: { key: 'o' } },
      { key: 't' },
    ] as LDContext[]) client.variationDetail('main', context, false);
  } catch {
    // Only ever an optimisation.
  }
}
