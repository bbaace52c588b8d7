// An invalid "matches" pattern never matches, as in LaunchDarkly's SDKs, and says so once.
import { describe, expect, it } from 'vitest';
import { init } from '../../src/lean.js';
import { recordingLogger } from '../helpers/logger.js';

function payload(flagKey: string, pattern: string) {
  return {
    flags: {
      [flagKey]: {
        key: flagKey,
        version: 1,
        on: true,
        variations: [false, true],
        fallthrough: { variation: 0 },
        rules: [{ variation: 1, clauses: [{ attribute: 'email', op: 'matches', values: [pattern, '@corp$'] }] }],
      },
    },
    segments: {},
  };
}

describe('matches with an invalid pattern', () => {
  it('never matches, and is logged once with the flag and the pattern', async () => {
    const logger = recordingLogger();
    const data = payload('regex-flag', '(unclosed');
    const client = init('k', { payload: data, logger, sendEvents: false });
    // The other value of the clause still works.
    expect(client.boolVariation('regex-flag', { key: 'a', email: 'a@corp' }, false)).toBe(true);
    expect(client.boolVariation('regex-flag', { key: 'b', email: '(unclosed' }, false)).toBe(false);
    client.allFlagsState({ key: 'c' });
    // A second client over the same data (a reload, another isolate request) says nothing new.
    init('k', { payload: data, logger, sendEvents: false }).boolVariation('regex-flag', { key: 'd' }, false);
    expect(logger.lines.filter((l) => l.includes('regex'))).toEqual([
      'warn: flag "regex-flag": invalid regex "(unclosed" never matches',
    ]);
  });

  it('valid patterns log nothing', () => {
    const logger = recordingLogger();
    const client = init('k', { payload: payload('fine-flag', '^a'), logger, sendEvents: false });
    expect(client.boolVariation('fine-flag', { key: 'a', email: 'abc' }, false)).toBe(true);
    expect(logger.lines).toEqual([]);
  });
});
