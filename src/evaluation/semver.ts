/**
 * Semantic versions as LaunchDarkly compares them: SemVer 2.0 precedence, with a missing minor or
 * patch number read as 0 ("2" is 2.0.0, "2.1" is 2.1.0). Build metadata is ignored.
 */
/** Major, minor and patch numbers, then the pre-release identifiers (numeric ones as numbers; none for a release). */
export type SemVer = [major: number, minor: number, patch: number, prerelease: (string | number)[]];

// major[.minor[.patch]][-pre.release][+build]: numbers without leading zeros, dot-separated
// identifiers of alphanumerics and hyphens; a pre-release identifier of digits only is a number,
// so it too has no leading zero.
const PATTERN =
  /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][\dA-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][\dA-Za-z-]*))*))?(?:\+[\dA-Za-z-]+(?:\.[\dA-Za-z-]+)*)?$/;
const NUMERIC_IDENT = /^\d+$/;

export function parseSemVer(text: unknown): SemVer | undefined {
  const m = typeof text === 'string' ? PATTERN.exec(text) : null;
  if (!m) return undefined;
  const prerelease = m[4]?.split('.').map((id) => (NUMERIC_IDENT.test(id) ? +id : id)) ?? [];
  return [+m[1], +(m[2] ?? 0), +(m[3] ?? 0), prerelease];
}

/** Negative, zero or positive as `a` has lower, equal or higher precedence than `b`. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  // Differences of equal huge (or infinite) numbers are 0 or NaN, both falsy: read as equal.
  const numbers = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  if (numbers) return numbers;
  const ap = a[3];
  const bp = b[3];
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
