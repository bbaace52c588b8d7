/**
 * Clause operators. Each clause is compiled once into a predicate over one attribute value that is
 * true when the value matches any of the clause's values; regexes, times and versions on the
 * clause side are parsed at compile time, not per evaluation.
 */
import { toEpochMillis } from './dates.js';
import { compareSemVer, parseSemVer } from './semver.js';

export type ValueMatcher = (value: unknown) => boolean;

/** Reads a value as an operator's operand type: undefined when it is not one. */
type Read<T> = (value: unknown) => T | undefined;

const never: ValueMatcher = () => false;

const asString: Read<string> = (v) => (typeof v === 'string' ? v : undefined);
const asNumber: Read<number> = (v) => (typeof v === 'number' ? v : undefined);
const asRegExp: Read<RegExp> = (v) => {
  try {
    return typeof v === 'string' ? new RegExp(v) : undefined;
  } catch {
    return undefined; // an invalid pattern matches nothing, as in LaunchDarkly's SDKs
  }
};

/** JSON equality: same primitives, or arrays and objects with equal members. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every(
      (k) =>
        Object.prototype.hasOwnProperty.call(b, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
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

/**
 * True when the attribute value, read as T, passes `test` against any clause value read as C.
 * Clause values that do not read are dropped; with none left the clause never matches.
 */
function anyOf<T, C>(
  values: readonly unknown[],
  readClause: Read<C>,
  readValue: Read<T>,
  test: (value: T, clauseValue: C) => boolean,
): ValueMatcher {
  const operands: C[] = [];
  for (const v of values) {
    const operand = readClause(v);
    if (operand !== undefined) operands.push(operand);
  }
  if (operands.length === 0) return never;
  return (attribute) => {
    const value = readValue(attribute);
    if (value === undefined) return false;
    for (let i = 0; i < operands.length; i++) if (test(value, operands[i])) return true;
    return false;
  };
}

/**
 * The predicate for `op` over `values`; an unknown operator (and `segmentMatch`, which the
 * evaluator handles itself) matches nothing, so that flags using operators newer than this SDK
 * degrade to a non-match rather than an error.
 */
export function compileOperator(op: string, values: readonly unknown[]): ValueMatcher {
  switch (op) {
    case 'in':
      return inMatcher(values);
    case 'startsWith':
      return anyOf(values, asString, asString, (v, c) => v.startsWith(c));
    case 'endsWith':
      return anyOf(values, asString, asString, (v, c) => v.endsWith(c));
    case 'contains':
      return anyOf(values, asString, asString, (v, c) => v.includes(c));
    case 'matches':
      return anyOf(values, asRegExp, asString, (v, c) => c.test(v));
    case 'lessThan':
      return anyOf(values, asNumber, asNumber, (v, c) => v < c);
    case 'lessThanOrEqual':
      return anyOf(values, asNumber, asNumber, (v, c) => v <= c);
    case 'greaterThan':
      return anyOf(values, asNumber, asNumber, (v, c) => v > c);
    case 'greaterThanOrEqual':
      return anyOf(values, asNumber, asNumber, (v, c) => v >= c);
    case 'before':
      return anyOf(values, toEpochMillis, toEpochMillis, (v, c) => v < c);
    case 'after':
      return anyOf(values, toEpochMillis, toEpochMillis, (v, c) => v > c);
    case 'semVerEqual':
      return anyOf(values, parseSemVer, parseSemVer, (v, c) => compareSemVer(v, c) === 0);
    case 'semVerLessThan':
      return anyOf(values, parseSemVer, parseSemVer, (v, c) => compareSemVer(v, c) < 0);
    case 'semVerGreaterThan':
      return anyOf(values, parseSemVer, parseSemVer, (v, c) => compareSemVer(v, c) > 0);
    default:
      return never;
  }
}
