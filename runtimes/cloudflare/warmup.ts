/**
 * Runs the evaluation and event-recording code once on a tiny built-in data set when the module
 * loads. V8 compiles functions on their first call; doing that here moves the cost from an
 * isolate's first request to its startup, which Cloudflare runs while the TLS handshake is still
 * under way. Global scope may not do I/O, use timers or draw random values, and this does none.
 */
import { init } from '../../src/core.js';
import type { AllData, LDContext } from '../../src/core.js';

const rule = (id: string, clauses: object[]) => ({ id, variation: 1, clauses });

const DATA = {
  flags: {
    main: {
      key: 'main',
      version: 1,
      on: true,
      salt: 's',
      variations: [false, true],
      offVariation: 0,
      prerequisites: [{ key: 'prerequisite', variation: 1 }],
      targets: [{ values: ['target'], variation: 1 }],
      contextTargets: [{ contextKind: 'org', values: ['target'], variation: 1 }],
      rules: [
        rule('text', [
          { attribute: 'email', op: 'endsWith', values: ['@a'] },
          { attribute: 'name', op: 'startsWith', values: ['a'] },
          { attribute: 'name', op: 'contains', values: ['a'] },
          { attribute: 'email', op: 'matches', values: ['^a'] },
        ]),
        rule('ordered', [
          { contextKind: 'user', attribute: 'age', op: 'lessThan', values: [1] },
          { attribute: 'version', op: 'semVerGreaterThan', values: ['9.0.0'] },
          { attribute: 'created', op: 'before', values: [0] },
        ]),
        rule('segment', [{ attribute: '', op: 'segmentMatch', values: ['segment'] }]),
        { ...rule('negated', [{ attribute: 'country', op: 'in', values: ['none'], negate: true }]), trackEvents: true },
      ],
      fallthrough: { rollout: { variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } },
    },
    prerequisite: { key: 'prerequisite', version: 1, on: true, salt: 's', variations: [false, true], offVariation: 0, fallthrough: { variation: 1 } },
  },
  segments: {
    segment: {
      key: 'segment',
      version: 1,
      salt: 's',
      included: ['included'],
      rules: [{ id: 'plan', clauses: [{ attribute: 'plan', op: 'in', values: ['none'] }] }],
    },
  },
} as unknown as AllData;

const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'u', email: 'b@b', name: 'b', age: 3, version: '1.0.0', created: 5, country: 'none', plan: 'p' },
  { kind: 'user', key: 'v', country: 'us' },
  { kind: 'multi', user: { key: 'w' }, org: { key: 'o' } },
  { key: 'legacy', custom: { plan: 'p' } },
];

export function warmUp(): void {
  try {
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    // Events are recorded, never flushed: sending is I/O, which global scope may not do.
    const client = init('warm-up', {
      payload: DATA,
      logger: silent,
      eventSender: { sendEvents: () => Promise.resolve({ outcome: 'success' as const }) },
    });
    for (const context of CONTEXTS) {
      client.variationDetail('main', context, false);
      client.boolVariation('missing', context, false);
      client.track('warm-up', context);
      client.allFlagsState(context);
    }
  } catch {
    // Only ever an optimisation.
  }
}
