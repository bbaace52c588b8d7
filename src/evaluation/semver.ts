/**
 * Semantic versions as LaunchDarkly compares them: SemVer 2.0 precedence, with a missing minor or
 * patch number read as 0 ("2" is 2.0.0, "2.1" is 2.1.0). Build metadata is ignored.
 */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  prerelease: (string | number)[];
}

// major[.minor[.patch]][-pre.release][+build]: numbers without leading zeros, dot-separated
// identifiers of alphanumerics and hyphens.
const PATTERN =
  /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([\dA-Za-z-]+(?:\.[\dA-Za-z-]+)*))?(?:\+[\dA-Za-z-]+(?:\.[\dA-Za-z-]+)*)?$/;
const NUMERIC_IDENT = /^\d+$/;

export function parseSemVer(text: unknown): SemVer | undefined {
  const m = typeof text === 'string' ? PATTERN.exec(text) : null;
  if (!m) return undefined;
  const prerelease: (string | number)[] = [];
  if (m[4] !== undefined) {
    for (const id of m[4].split('.')) {
      if (!NUMERIC_IDENT.test(id)) prerelease.push(id);
      // SemVer forbids leading zeros in numeric pre-release identifiers.
      else if (id.length > 1 && id[0] === '0') return undefined;
      else prerelease.push(+id);
    }
  }
  return {
    major: +m[1],
    minor: +(m[2] ?? 0),
    patch: +(m[3] ?? 0),
    prerelease,
  };
}

/** Negative, zero or positive as `a` has lower, equal or higher precedence than `b`. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  // Differences of equal huge (or infinite) numbers are 0 or NaN, both falsy: read as equal.
  const numbers = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (numbers) return numbers;
  const ap = a.prerelease;
  const bp = b.prerelease;
  // A release outranks any of its pre-releases.
  if (ap.length === 0 || bp.length === 0) return bp.length - ap.length;
  for (let i = 0; i < ap.length && i < bp.length; i++) {
    const x = ap[i];
    const y = bp[i];
    if (x !== y) {
      const xNumeric = typeof x === 'number';
      // Numeric identifiers sort before alphanumeric ones.
      if (xNumeric !== (typeof y === 'number')) return xNumeric ? -1 : 1;
      return x < y ? -1 : 1;
    }
  }
  return ap.length - bp.length;
}
