/**
 * Clause operators. Each clause is compiled once into a predicate over one attribute value that is
 * true when the value matches any of the clause's values; regexes, times and versions on the
 * clause side are parsed at compile time, not per evaluation.
 */
import { toEpochMillis } from './dates.js';
import { compareSemVer, parseSemVer, type SemVer } from './semver.js';

export type ValueMatcher = (value: unknown) => boolean;

const never: ValueMatcher = () => false;

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) {
      return false;
    }
  }
  return true;
}

function inMatcher(values: readonly unknown[]): ValueMatcher {
  const primitives = new Set<unknown>();
  const objects: unknown[] = [];
  for (const v of values) {
    if (typeof v === 'object' && v !== null) objects.push(v);
    else primitives.add(v);
  }
  if (objects.length === 0) {
    if (primitives.size === 1) {
      const only = primitives.values().next().value;
      return (value) => value === only;
    }
    return (value) => primitives.has(value);
  }
  return (value) => {
    if (typeof value !== 'object' || value === null) return primitives.has(value);
    for (const o of objects) if (deepEqual(value, o)) return true;
    return false;
  };
}

function stringMatcher(
  values: readonly unknown[],
  test: (value: string, clauseValue: string) => boolean,
): ValueMatcher {
  const strings = values.filter((v): v is string => typeof v === 'string');
  if (strings.length === 0) return never;
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < strings.length; i++) if (test(value, strings[i])) return true;
    return false;
  };
}

function regexMatcher(values: readonly unknown[]): ValueMatcher {
  const regexes: RegExp[] = [];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    try {
      regexes.push(new RegExp(v));
    } catch {
      // An invalid pattern matches nothing, as in LaunchDarkly's SDKs.
    }
  }
  if (regexes.length === 0) return never;
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < regexes.length; i++) if (regexes[i].test(value)) return true;
    return false;
  };
}

function numberMatcher(
  values: readonly unknown[],
  test: (value: number, clauseValue: number) => boolean,
): ValueMatcher {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  if (numbers.length === 0) return never;
  return (value) => {
    if (typeof value !== 'number') return false;
    for (let i = 0; i < numbers.length; i++) if (test(value, numbers[i])) return true;
    return false;
  };
}

function dateMatcher(
  values: readonly unknown[],
  test: (value: number, clauseValue: number) => boolean,
): ValueMatcher {
  const times: number[] = [];
  for (const v of values) {
    const t = toEpochMillis(v);
    if (t !== undefined) times.push(t);
  }
  if (times.length === 0) return never;
  return (value) => {
    const t = toEpochMillis(value);
    if (t === undefined) return false;
    for (let i = 0; i < times.length; i++) if (test(t, times[i])) return true;
    return false;
  };
}

function semVerMatcher(values: readonly unknown[], test: (cmp: number) => boolean): ValueMatcher {
  const versions: SemVer[] = [];
  for (const v of values) {
    const parsed = parseSemVer(v);
    if (parsed) versions.push(parsed);
  }
  if (versions.length === 0) return never;
  return (value) => {
    const parsed = parseSemVer(value);
    if (!parsed) return false;
    for (let i = 0; i < versions.length; i++) if (test(compareSemVer(parsed, versions[i]))) return true;
    return false;
  };
}

/**
 * The predicate for `op` over `values`; an unknown operator matches nothing, so that flags
 * using operators newer than this SDK degrade to a non-match rather than an error.
 */
export function compileOperator(op: string, values: readonly unknown[]): ValueMatcher {
  switch (op) {
    case 'in':
      return inMatcher(values);
    case 'startsWith':
      return stringMatcher(values, (v, c) => v.startsWith(c));
    case 'endsWith':
      return stringMatcher(values, (v, c) => v.endsWith(c));
    case 'contains':
      return stringMatcher(values, (v, c) => v.includes(c));
    case 'matches':
      return regexMatcher(values);
    case 'lessThan':
      return numberMatcher(values, (v, c) => v < c);
    case 'lessThanOrEqual':
      return numberMatcher(values, (v, c) => v <= c);
    case 'greaterThan':
      return numberMatcher(values, (v, c) => v > c);
    case 'greaterThanOrEqual':
      return numberMatcher(values, (v, c) => v >= c);
    case 'before':
      return dateMatcher(values, (v, c) => v < c);
    case 'after':
      return dateMatcher(values, (v, c) => v > c);
    case 'semVerEqual':
      return semVerMatcher(values, (cmp) => cmp === 0);
    case 'semVerLessThan':
      return semVerMatcher(values, (cmp) => cmp < 0);
    case 'semVerGreaterThan':
      return semVerMatcher(values, (cmp) => cmp > 0);
    default:
      return never;
  }
}
