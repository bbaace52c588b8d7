/**
 * Timestamps for the `before`/`after` operators: a number is epoch milliseconds, a string must be
 * RFC 3339 with a time zone. Anything else (including a bare date) is not a time.
 */
// Case-insensitive for the `T` and `Z`.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})t(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:z|([+-])(\d{2}):(\d{2}))$/i;

/** 146097 days: the length of the Gregorian calendar's 400-year cycle. */
const FOUR_CENTURIES_MS = 146097 * 86400000;

export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  // Date.UTC reads years 0-99 as 1900-1999; the calendar repeats every 400 years, so compute
  // 400 years on and take them back off.
  const year = +m[1] + 400;
  const month = +m[2] - 1;
  const day = +m[3];
  // A day past the month's last rolls over into the next month. An absent offset (`Z`) reads as
  // NaN, which fails no range check.
  if (month < 0 || month > 11 || day < 1 || Date.UTC(year, month, day) >= Date.UTC(year, month + 1)) return undefined;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59 || +m[9] > 23 || +m[10] > 59) return undefined;
  // Minutes east of UTC.
  const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (+m[9] * 60 + +m[10]);
  const utc = Date.UTC(year, month, day, +m[4], +m[5], +m[6]) - FOUR_CENTURIES_MS;
  return utc + +(m[7] ?? 0) * 1000 - offset * 60000;
}

/** Epoch milliseconds for a clause or attribute value, or undefined when it is not a time. */
export function toEpochMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' ? parseRfc3339(value) : undefined;
}
