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

const NUM = '0|[1-9]\\d*';
const IDENT = '[0-9A-Za-z-]+';
const PATTERN = new RegExp(
  `^(${NUM})(?:\\.(${NUM}))?(?:\\.(${NUM}))?` +
    `(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`,
);
const NUMERIC_IDENT = /^\d+$/;

export function parseSemVer(text: unknown): SemVer | undefined {
  if (typeof text !== 'string') return undefined;
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const prerelease: (string | number)[] = [];
  if (m[4] !== undefined) {
    for (const id of m[4].split('.')) {
      if (NUMERIC_IDENT.test(id)) {
        // SemVer forbids leading zeros in numeric pre-release identifiers.
        if (id.length > 1 && id[0] === '0') return undefined;
        prerelease.push(Number(id));
      } else {
        prerelease.push(id);
      }
    }
  }
  return {
    major: Number(m[1]),
    minor: m[2] === undefined ? 0 : Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    prerelease,
  };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  const aNum = typeof a === 'number';
  const bNum = typeof b === 'number';
  if (aNum && bNum) return a < b ? -1 : a > b ? 1 : 0;
  if (aNum) return -1; // numeric identifiers sort before alphanumeric ones
  if (bNum) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length === 0 || bp.length === 0) {
    // A release outranks any of its pre-releases.
    return ap.length === bp.length ? 0 : ap.length === 0 ? 1 : -1;
  }
  const n = Math.min(ap.length, bp.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(ap[i], bp[i]);
    if (c !== 0) return c;
  }
  return ap.length === bp.length ? 0 : ap.length < bp.length ? -1 : 1;
}
