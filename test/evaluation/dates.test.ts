// RFC 3339 timestamps as the `before` and `after` operators read them, against the platform's own
// ISO 8601 parser on random valid times across the whole four-digit year range.
import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../src/evaluation/dates.js';
import { Random } from '../helpers/random.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('RFC 3339 times', () => {
  it('agree with Date.parse for every year from 0000 to 9999, with offsets and milliseconds', () => {
    const r = new Random(3339);
    const between = (low: number, high: number) => low + r.int(high - low + 1);
    for (let i = 0; i < 5000; i++) {
      const year = i < 100 ? i : between(0, 9999);
      const date = `${pad(year, 4)}-${pad(between(1, 12))}-${pad(between(1, 28))}`;
      const time = `${pad(between(0, 23))}:${pad(between(0, 59))}:${pad(between(0, 59))}${r.chance(0.5) ? `.${pad(between(0, 999), 3)}` : ''}`;
      const zone = r.chance(0.3) ? 'Z' : `${r.chance(0.5) ? '+' : '-'}${pad(between(0, 23))}:${pad(between(0, 59))}`;
      const text = `${date}T${time}${zone}`;
      expect(parseRfc3339(text), text).toBe(Date.parse(text));
    }
  });

  it('refuse impossible dates and times', () => {
    for (const text of ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01', '2024-01-01T00:00:00']) {
      expect(parseRfc3339(text), text).toBeUndefined();
    }
    expect(parseRfc3339('2024-02-29t12:00:00z')).toBe(Date.parse('2024-02-29T12:00:00Z'));
  });
});
