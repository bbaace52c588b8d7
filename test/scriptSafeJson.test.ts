import { describe, expect, it } from 'vitest';
import { init, scriptSafeJson } from '../src/index.js';

describe('scriptSafeJson', () => {
  const hostile = '</script><script>alert(1)</script><!-- & \u2028\u2029 >';

  it('leaves no character that could end or alter an inline script, and parses back equal', () => {
    const value = { text: hostile, list: [hostile], [hostile]: 1 };
    const json = scriptSafeJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
    expect(scriptSafeJson('<')).toBe('"\\u003c"');
  });

  it('serialises a flags state through its toJSON, and undefined as null', () => {
    const client = init('sdk-key', {
      sendEvents: false,
      payload: {
        flags: { banner: { key: 'banner', version: 1, on: false, offVariation: 0, variations: [hostile], salt: 's' } },
        segments: {},
      },
    });
    const json = scriptSafeJson(client.allFlagsState({ key: 'u' }));
    expect(json).not.toContain('</script>');
    expect(JSON.parse(json).banner).toBe(hostile);
    expect(scriptSafeJson(undefined)).toBe('null');
  });
});
