/**
 * Clause operators. Each clause is compiled once into a predicate over one attribute value that is
 * true when the value matches any of the clause's values; regexes, times and versions on the
 * clause side are parsed at compile time, not per evaluation.
 */
import { toEpochMillis } from './dates.js';
import type { LDLogger } from '../logging.js';
import { compareSemVer, parseSemVer } from './semver.js';

export type ValueMatcher = (value: unknown) => boolean;

/** Reads a value as an operator's operand type: undefined when it is not one. */
type Read<T> = (value: unknown) => T | undefined;

const never: ValueMatcher = () => false;

// Exported with `operands` for flag preparation, which reads optional numbers and key lists the same way.
export const asString: Read<string> = (v) => (typeof v === 'string' ? v : undefined);
export const asNumber: Read<number> = (v) => (typeof v === 'number' ? v : undefined);
/** Patterns that did not compile since preparation last reported them. */
const invalidPatterns: string[] = [];
/** What has been reported, so that each pattern of each item is logged once per process. */
const reported = new Set<string>();

const asRegExp: Read<RegExp> = (v) => {
  try {
    return typeof v === 'string' ? new RegExp(v) : undefined;
  } catch {
    invalidPatterns.push(v as string);
    return undefined; // an invalid pattern matches nothing, as in LaunchDarkly's SDKs
  }
};

/**
 * Called after preparing an item: warns, once per process, about each of its patterns that does
 * not compile, which would otherwise never match without a word.
 */
export function reportInvalidPatterns(kind: string, key: string, logger: LDLogger | undefined): void {
  for (const pattern of invalidPatterns.splice(0)) {
    const line = `${kind.slice(0, -1)} "${key}": invalid regex ${JSON.stringify(pattern)} never matches`;
    if (logger && !reported.has(line)) {
      reported.add(line);
      logger.warn(line);
    }
  }
}

/**
 * `in` compares with `===`, as LaunchDarkly's Node SDK does: an object or array value, whether
 * the context's or the clause's, never matches.
 */
function inMatcher(values: readonly unknown[]): ValueMatcher {
  const primitives = new Set(values.filter((v) => typeof v !== 'object' || v === null));
  if (primitives.size === 1) {
    const [only] = primitives;
    return (value) => value === only;
  }
  return (value) => primitives.has(value);
}

/** The clause values that read as an operator's operand type; the rest are dropped. */
export function operands<C>(values: readonly unknown[], read: Read<C>): C[] {
  return values.map(read).filter((operand): operand is C => operand !== undefined);
}

// Strings and numbers each have their own matcher, reading the attribute inline: a shared generic
// one would make that read a megamorphic call on every evaluation. Times and versions are parsed
// by a call either way, and parsing dominates their cost, so they share one. With no operands,
// nothing matches.

function stringMatcher<C>(
  values: readonly unknown[],
  read: Read<C>,
  test: (value: string, operand: C) => boolean,
): ValueMatcher {
  const ops = operands(values, read);
  if (ops.length === 0) return never;
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < ops.length; i++) if (test(value, ops[i])) return true;
    return false;
  };
}

function numberMatcher(
  values: readonly unknown[],
  test: (value: number, operand: number) => boolean,
): ValueMatcher {
  const ops = operands(values, asNumber);
  if (ops.length === 0) return never;
  return (value) => {
    if (typeof value !== 'number') return false;
    for (let i = 0; i < ops.length; i++) if (test(value, ops[i])) return true;
    return false;
  };
}

/**
 * For operands that must be parsed on both sides (times, versions): the context's value is parsed
 * once per call, then compared with each clause operand.
 */
function parsedMatcher<C>(
  values: readonly unknown[],
  read: Read<C>,
  test: (value: C, operand: C) => boolean,
): ValueMatcher {
  const ops = operands(values, read);
  if (ops.length === 0) return never;
  return (value) => {
    const parsed = read(value);
    if (parsed === undefined) return false;
    for (let i = 0; i < ops.length; i++) if (test(parsed, ops[i])) return true;
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
      return stringMatcher(values, asString, (v, c) => v.startsWith(c));
    case 'endsWith':
      return stringMatcher(values, asString, (v, c) => v.endsWith(c));
    case 'contains':
      return stringMatcher(values, asString, (v, c) => v.includes(c));
    case 'matches':
      return stringMatcher(values, asRegExp, (v, c) => c.test(v));
    case 'lessThan':
      return numberMatcher(values, (v, c) => v < c);
    case 'lessThanOrEqual':
      return numberMatcher(values, (v, c) => v <= c);
    case 'greaterThan':
      return numberMatcher(values, (v, c) => v > c);
    case 'greaterThanOrEqual':
      return numberMatcher(values, (v, c) => v >= c);
    case 'before':
      return parsedMatcher(values, toEpochMillis, (v, c) => v < c);
    case 'after':
      return parsedMatcher(values, toEpochMillis, (v, c) => v > c);
    case 'semVerEqual':
      return parsedMatcher(values, parseSemVer, (v, c) => compareSemVer(v, c) === 0);
    case 'semVerLessThan':
      return parsedMatcher(values, parseSemVer, (v, c) => compareSemVer(v, c) < 0);
    case 'semVerGreaterThan':
      return parsedMatcher(values, parseSemVer, (v, c) => compareSemVer(v, c) > 0);
    default:
      return never;
  }
}
