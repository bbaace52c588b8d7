/**
 * Timestamps for the `before`/`after` operators: a number is epoch milliseconds, a string must be
 * RFC 3339 with a time zone. Anything else (including a bare date) is not a time.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** 146097 days: the length of the Gregorian calendar's 400-year cycle. */
const FOUR_CENTURIES_MS = 146097 * 86400000;

export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  // Months alternate 31 and 30 days, restarting at August.
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);
  // An absent offset (`Z`) reads as NaN, which fails no range check.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59 || +m[9] > 23 || +m[10] > 59) return undefined;
  // Minutes east of UTC.
  const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (+m[9] * 60 + +m[10]);
  // Date.UTC reads years 0-99 as 1900-1999; the calendar repeats every 400 years, so compute
  // 400 years on and take them back off.
  const utc = Date.UTC(year + 400, month - 1, day, +m[4], +m[5], +m[6]) - FOUR_CENTURIES_MS;
  return utc + (m[7] === undefined ? 0 : +m[7] * 1000) - offset * 60000;
}

/** Epoch milliseconds for a clause or attribute value, or undefined when it is not a time. */
export function toEpochMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' ? parseRfc3339(value) : undefined;
}
