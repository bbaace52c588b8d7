/**
 * Runs the evaluation and event-recording code once on a tiny built-in data set when the module
 * loads. V8 compiles functions on their first call; doing that here moves the cost from an
 * isolate's first request to its startup, which Cloudflare runs while the TLS handshake is still
 * under way. Global scope may not do I/O, use timers or draw random values, and this does none.
 */
import { basicLogger, init, type AllData, type LDContext } from '../../src/core.js';

// One rule per operator, each on an attribute of the type it takes and matched by none of the
// contexts below, so that every operator runs for each of them: [attribute, value, operators].
const OPERATORS: Array<[string, unknown, string[]]> = [
  ['s', 'x', ['in', 'endsWith', 'startsWith', 'contains', 'matches']],
  ['v', '9.0.0', ['semVerEqual', 'semVerGreaterThan']],
  ['n', 0, ['before', 'after', 'lessThan']],
];

const flag = (key: string, more: object) => ({
  key,
  version: 1,
  on: true,
  salt: key,
  variations: [false, true],
  offVariation: 0,
  fallthrough: { variation: 1 },
  ...more,
});

const DATA = {
  flags: {
    p: flag('p', {}),
    main: flag('main', {
      prerequisites: [{ key: 'p', variation: 1 }],
      targets: [{ values: ['t'], variation: 1 }],
      // A user entry without values defers to `targets`.
      contextTargets: [
        { contextKind: 'user', values: [], variation: 1 },
        { contextKind: 'org', values: ['t'], variation: 1 },
      ],
      rules: [
        { id: 's', variation: 1, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s'] }] },
        ...OPERATORS.flatMap(([attribute, value, ops]) =>
          ops.map((op) => ({ id: op, variation: 1, clauses: [{ attribute, op, values: [value] }] })),
        ),
        // Matches the multi-kind context.
        {
          id: 'k',
          variation: 1,
          trackEvents: true,
          clauses: [{ contextKind: 'user', attribute: '/s', op: 'in', values: ['b'] }],
        },
      ],
      fallthrough: { rollout: { variations: [0, 1].map((variation) => ({ variation, weight: 50000 })) } },
    }),
  },
  segments: {
    s: {
      key: 's',
      version: 1,
      salt: 's',
      included: ['i'],
      rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'in', values: ['x'] }] }],
    },
  },
} as unknown as AllData;

export function warmUp(): void {
  try {
    // Events are recorded, never flushed: sending is I/O, which global scope may not do.
    const client = init('warm-up', {
      payload: JSON.stringify(DATA),
      logger: basicLogger('none'),
      eventSender: { sendEvents: () => Promise.resolve({ outcome: 'success' as const }) },
    });
    for (const context of [
      { kind: 'user', key: 'u', s: 'a', v: '1.0.0', n: 0 },
      { kind: 'multi', user: { key: 'v', s: 'b' }, org: { key: 'o' } },
      { key: 'w', custom: { s: 'a', n: 0 } },
      { key: 't' },
    ] as LDContext[]) {
      client.variationDetail('main', context, false);
      client.boolVariation('missing', context, false);
      client.track('warm-up', context);
      client.allFlagsState(context);
    }
  } catch {
    // Only ever an optimisation.
  }
}
