// The ten evaluation methods of LDClient, each against flags of every value type: what it
// returns, the type it checks, whether it gives the reason (to the caller and to analytics
// events), and the name hooks see.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  init,
  LDClient,
  silentLoggerForTests,
  type LDContext,
  type LDEvaluationDetail,
  type LDFlagValue,
  type LDHook,
  type LDOptions,
} from './helpers/sdk.js';

type ValueType = 'boolean' | 'number' | 'string' | undefined;

/** Each method, the value type it checks (none: any JSON value), and whether it returns the detail. */
const METHODS: ReadonlyArray<readonly [name: string, type: ValueType, detail: boolean]> = [
  ['variation', undefined, false],
  ['variationDetail', undefined, true],
  ['boolVariation', 'boolean', false],
  ['boolVariationDetail', 'boolean', true],
  ['numberVariation', 'number', false],
  ['numberVariationDetail', 'number', true],
  ['stringVariation', 'string', false],
  ['stringVariationDetail', 'string', true],
  ['jsonVariation', undefined, false],
  ['jsonVariationDetail', undefined, true],
];

/** One flag per value type; each serves its second variation, so the index shows. */
const VALUES: Record<string, LDFlagValue> = { bool: true, number: 7, string: 'on', object: { limit: 3 } };
const flags = Object.fromEntries(
  Object.entries(VALUES).map(([key, value]) => [
    key,
    { key, version: 1, on: true, fallthrough: { variation: 1 }, variations: [null, value], salt: key, trackEvents: true },
  ]),
);

/** A default of the method's own type, unlike every flag value. */
const DEFAULTS: Record<string, LDFlagValue> = { boolean: false, number: -1, string: 'default', any: { fallback: true } };

const user = { kind: 'user', key: 'u-1' };
const clients: LDClient[] = [];

function make(options: LDOptions = {}): LDClient {
  const payload = { flags, segments: {} } as never;
  const client = init('sdk-key', { payload, sendEvents: false, logger: silentLoggerForTests, ...options });
  clients.push(client);
  return client;
}

/** Calls a method by name, as a caller of that method would. */
function call(client: LDClient, name: string, key: string, defaultValue: LDFlagValue): unknown {
  const method = client[name as keyof LDClient] as (key: string, context: LDContext, defaultValue: LDFlagValue) => unknown;
  return method.call(client, key, user, defaultValue);
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('evaluation methods', () => {
  it('are each an own method of the class, taking key, context and default', () => {
    for (const [name] of METHODS) {
      const descriptor = Object.getOwnPropertyDescriptor(LDClient.prototype, name);
      expect(typeof descriptor?.value, name).toBe('function');
      expect(descriptor, name).toMatchObject({ writable: true, configurable: true, enumerable: false });
      expect((descriptor!.value as () => unknown).length, name).toBe(3);
    }
  });

  // Checked by `npm run typecheck`: the class is the methods' only declaration.
  it('declare the type of their default and result', () => {
    const client = make();
    type Args<T> = [key: string, context: LDContext, defaultValue: T];
    expectTypeOf(client.variation).toEqualTypeOf<(...args: Args<LDFlagValue>) => LDFlagValue>();
    expectTypeOf(client.variationDetail).toEqualTypeOf<(...args: Args<LDFlagValue>) => LDEvaluationDetail<LDFlagValue>>();
    expectTypeOf(client.boolVariation).toEqualTypeOf<(...args: Args<boolean>) => boolean>();
    expectTypeOf(client.boolVariationDetail).toEqualTypeOf<(...args: Args<boolean>) => LDEvaluationDetail<boolean>>();
    expectTypeOf(client.numberVariation).toEqualTypeOf<(...args: Args<number>) => number>();
    expectTypeOf(client.numberVariationDetail).toEqualTypeOf<(...args: Args<number>) => LDEvaluationDetail<number>>();
    expectTypeOf(client.stringVariation).toEqualTypeOf<(...args: Args<string>) => string>();
    expectTypeOf(client.stringVariationDetail).toEqualTypeOf<(...args: Args<string>) => LDEvaluationDetail<string>>();
    expectTypeOf(client.jsonVariation).toEqualTypeOf<(...args: Args<LDFlagValue>) => LDFlagValue>();
    expectTypeOf(client.jsonVariationDetail).toEqualTypeOf<(...args: Args<LDFlagValue>) => LDEvaluationDetail<LDFlagValue>>();
  });

  for (const [name, type, detail] of METHODS) {
    const checks = type ? ` when it is a ${type}, else the default (WRONG_TYPE)` : '';
    it(`${name} gives the flag's value${checks}${detail ? ', with the detail' : ''}`, () => {
      const client = make();
      const defaultValue = DEFAULTS[type ?? 'any'];
      for (const [key, value] of Object.entries(VALUES)) {
        const matches = type === undefined || typeof value === type;
        const expected = matches
          ? { value, variationIndex: 1, reason: { kind: 'FALLTHROUGH' } }
          : { value: defaultValue, reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' } };
        const result = call(client, name, key, defaultValue);
        if (detail) expect(result, `${name}("${key}")`).toEqual(expected);
        else expect(result, `${name}("${key}")`).toStrictEqual(expected.value);
      }
    });
  }

  it('name themselves to hooks', () => {
    const seen: string[] = [];
    const hook: LDHook = { beforeEvaluation: (series, data) => (seen.push(series.method), data) };
    const client = make({ hooks: [hook] });
    for (const [name, type] of METHODS) call(client, name, 'bool', DEFAULTS[type ?? 'any']);
    expect(seen).toEqual(METHODS.map(([name]) => `LDClient.${name}`));
  });

  it('put the reason in feature events exactly for the Detail forms', async () => {
    for (const [name, type, detail] of METHODS) {
      const posted: Array<Record<string, unknown>> = [];
      const client = make({
        sendEvents: true,
        fetch: async (_input, requestInit) => {
          posted.push(...(JSON.parse(String(requestInit?.body)) as Array<Record<string, unknown>>));
          return new Response(null, { status: 202 });
        },
      });
      call(client, name, 'bool', DEFAULTS[type ?? 'any']);
      await client.flush();
      const features = posted.filter((event) => event.kind === 'feature');
      expect(features, name).toHaveLength(1);
      expect('reason' in features[0], name).toBe(detail);
    }
  });
});
