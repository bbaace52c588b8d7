// What an all-flags state hands out: fresh plain objects in the data set's key order, which the
// caller may change without changing the state or later copies.
import { describe, expect, it } from 'vitest';
import { buildAllFlagsState, type LDFlagsState } from '../../src/allFlagsState.js';
import { toContext, type Context } from '../../src/context.js';
import { DataSet } from '../../src/data/dataSet.js';
import { parseAllData } from '../../src/data/parseAllData.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';

const flag = (key: string) => ({
  key,
  version: 3,
  on: true,
  fallthrough: { variation: 0 },
  offVariation: 1,
  variations: [`${key}-on`, `${key}-off`],
  salt: 's',
});

function stateFor(keys: string[]): LDFlagsState {
  const flags = Object.fromEntries(keys.map((key) => [key, flag(key)]));
  const data = DataSet.from(parseAllData({ flags, segments: {} }, 'flag data'));
  return buildAllFlagsState(data, new Evaluator(data), toContext({ kind: 'user', key: 'u' }) as Context, {});
}

describe('all-flags state copies', () => {
  it('lists flags in the order the data set holds them, then $flagsState and $valid', () => {
    const state = stateFor(['z', 'a', 'm']);
    expect(Object.keys(state.toJSON())).toEqual(['z', 'a', 'm', '$flagsState', '$valid']);
    expect(Object.keys(state.toJSON().$flagsState)).toEqual(['z', 'a', 'm']);
    expect(Object.keys(state.allValues())).toEqual(['z', 'a', 'm']);
  });

  it('gives new objects on every call, which the caller may change', () => {
    const state = stateFor(['a', 'b']);
    const json = state.toJSON();
    json.a = 'changed';
    delete json.$flagsState.b;
    const values = state.allValues();
    values.b = 'changed';
    expect(state.getFlagValue('a')).toBe('a-on');
    expect(state.getFlagValue('b')).toBe('b-on');
    expect(state.toJSON()).toEqual({
      a: 'a-on',
      b: 'b-on',
      $flagsState: { a: { variation: 0, version: 3 }, b: { variation: 0, version: 3 } },
      $valid: true,
    });
    expect(state.toJSON()).not.toBe(state.toJSON());
    expect(state.allValues()).not.toBe(state.allValues());
  });

  it('lets $flagsState and $valid win over flags of those keys, as the bootstrap format has them last', () => {
    const state = stateFor(['$valid', 'x', '$flagsState']);
    const json = state.toJSON();
    expect(Object.keys(json)).toEqual(['$valid', 'x', '$flagsState']);
    expect(json.$valid).toBe(true);
    expect(Object.keys(json.$flagsState)).toEqual(['$valid', 'x', '$flagsState']);
    expect(state.getFlagValue('$valid')).toBe('$valid-on');
  });

  it('reads no key that is not a flag of the state', () => {
    const state = stateFor(['a']);
    for (const key of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(state.getFlagValue(key)).toBeUndefined();
      expect(state.getFlagReason(key)).toBeUndefined();
    }
  });
});
