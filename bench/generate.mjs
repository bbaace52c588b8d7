// Deterministic generators for benchmark data: a flag/segment payload in the
// `/sdk/latest-all` wire format and a matching population of evaluation contexts.
//
// Everything is driven by a small seeded PRNG so that a given seed always yields
// byte-identical output (useful for reproducing a mismatch between engines).

/**
 * Create a seeded pseudo-random generator (mulberry32 variant).
 * @param {number} seed
 */
export function createRng(seed) {
  let state = (seed >>> 0) || 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    /** float in [0, 1) */
    next,
    /** integer in [min, max] inclusive */
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    /** true with probability p */
    chance(p) {
      return next() < p;
    },
    /** uniformly chosen element */
    pick(arr) {
      return arr[Math.floor(next() * arr.length)];
    },
    /** `n` distinct elements (or all of them if n >= length) */
    sample(arr, n) {
      const copy = arr.slice();
      const out = [];
      while (out.length < n && copy.length > 0) {
        const i = Math.floor(next() * copy.length);
        out.push(copy[i]);
        copy[i] = copy[copy.length - 1];
        copy.pop();
      }
      return out;
    },
    /** choose a key from {key: weight} */
    weighted(table) {
      const entries = Object.entries(table);
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [k, w] of entries) {
        r -= w;
        if (r < 0) return k;
      }
      return entries[entries.length - 1][0];
    },
    /** short lowercase hex-ish id */
    id(len = 12) {
      const chars = '0123456789abcdef';
      let s = '';
      for (let i = 0; i < len; i++) s += chars[Math.floor(next() * 16)];
      return s;
    },
  };
  return rng;
}

// ---------------------------------------------------------------------------
// Shared vocabulary. Contexts draw attribute values from these pools, and
// clauses draw comparison values from the same pools so that rules match a
// realistic fraction of the population.

const COUNTRIES = ['us', 'ca', 'gb', 'de', 'fr', 'jp', 'br', 'in', 'au', 'mx', 'es', 'nl'];
const PLANS = ['free', 'starter', 'pro', 'business', 'enterprise'];
const DOMAINS = ['example.com', 'acme.io', 'corp.net', 'mail.org', 'test.dev', 'shop.co'];
const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy',
  'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'zoe'];
const GROUPS = ['beta', 'staff', 'qa', 'partners', 'vip', 'internal', 'early-access', 'support', 'sales', 'eng'];
const CITIES = ['paris', 'london', 'tokyo', 'berlin', 'austin', 'toronto', 'sydney', 'madrid'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const REGIONS = ['na', 'emea', 'apac', 'latam'];
const VERSIONS = ['1.0.0', '1.2.0', '1.2.3', '1.10.0', '2.0.0', '2.0.0-beta.1', '2.1.4', '3.0.0-rc.2', '3.0.0', '3.2.1', '2.0', '4.1',
  '1.2.3+build.7', '2.0.0-alpha', 'v2']; // the last few exercise build metadata, prerelease ordering, invalid input
const USER_COUNT = 5000; // size of the user key space; targets draw keys from it
const ORG_COUNT = 400;

// Dates span 2020-01-01 .. 2025-01-01.
const DATE_MIN = Date.UTC(2020, 0, 1);
const DATE_MAX = Date.UTC(2025, 0, 1);

const userKey = (i) => `user-${i}`;
const orgKey = (i) => `org-${i}`;

// ---------------------------------------------------------------------------
// Payload

/**
 * Generate a `/sdk/latest-all` payload.
 * @param {{flags?: number, segments?: number, seed?: number}} [opts]
 * @returns {{flags: Record<string, object>, segments: Record<string, object>}}
 */
export function generatePayload({ flags = 1000, segments = 50, seed = 1 } = {}) {
  const rng = createRng(seed);
  const segmentKeys = [];
  const segmentsOut = {};
  for (let i = 0; i < segments; i++) {
    const seg = makeSegment(rng, i, segmentKeys);
    segmentsOut[seg.key] = seg;
    segmentKeys.push(seg.key);
  }

  const flagsOut = {};
  const flagList = [];
  for (let i = 0; i < flags; i++) {
    const flag = makeFlag(rng, i, flagList, segmentKeys);
    flagsOut[flag.key] = flag;
    flagList.push(flag);
  }
  return { flags: flagsOut, segments: segmentsOut };
}

function makeSegment(rng, index, earlierSegmentKeys) {
  const key = `segment-${index}`;
  const included = rng.chance(0.6) ? rng.sample(range(USER_COUNT), rng.int(1, 40)).map(userKey) : [];
  const excluded = rng.chance(0.3) ? rng.sample(range(USER_COUNT), rng.int(1, 10)).map(userKey) : [];
  const includedContexts = rng.chance(0.3)
    ? [{ contextKind: 'org', values: rng.sample(range(ORG_COUNT), rng.int(1, 20)).map(orgKey) }]
    : [];
  const excludedContexts = rng.chance(0.15)
    ? [{ contextKind: 'org', values: rng.sample(range(ORG_COUNT), rng.int(1, 5)).map(orgKey) }]
    : [];

  const rules = [];
  const ruleCount = rng.int(0, 3);
  for (let r = 0; r < ruleCount; r++) {
    // Nested segment references only point at earlier segments (no cycles).
    const clauses = makeClauses(rng, rng.int(1, 2), earlierSegmentKeys, 0.1);
    const rule = { id: `${key}-rule-${r}-${rng.id(6)}`, clauses };
    if (rng.chance(0.3)) {
      rule.weight = rng.int(10000, 90000);
      if (rng.chance(0.3)) rule.bucketBy = rng.pick(['email', 'country']);
      if (rng.chance(0.2)) rule.rolloutContextKind = 'org';
    }
    rules.push(rule);
  }

  return {
    key,
    version: rng.int(1, 50),
    included,
    excluded,
    includedContexts,
    excludedContexts,
    rules,
    salt: rng.id(16),
    deleted: false,
  };
}

function makeVariations(rng, type) {
  switch (type) {
    case 'boolean':
      return [true, false];
    case 'string': {
      const n = rng.int(2, 5);
      return range(n).map((i) => `variant-${String.fromCharCode(97 + i)}-${rng.id(4)}`);
    }
    case 'number': {
      const n = rng.int(2, 4);
      return range(n).map((i) => (rng.chance(0.5) ? i * 10 + rng.int(0, 9) : Math.round(rng.next() * 1000) / 100));
    }
    case 'json':
    default: {
      const n = rng.int(2, 4);
      return range(n).map((i) => ({
        name: `config-${i}`,
        enabled: rng.chance(0.5),
        limit: rng.int(1, 1000),
        tags: rng.sample(GROUPS, rng.int(0, 3)),
        nested: { level: i, ratio: Math.round(rng.next() * 100) / 100, label: null },
      }));
    }
  }
}

/** weights that sum to exactly 100000 */
function makeWeights(rng, n) {
  const raw = range(n).map(() => rng.int(1, 100));
  const total = raw.reduce((s, w) => s + w, 0);
  const weights = raw.map((w) => Math.floor((w * 100000) / total));
  weights[weights.length - 1] += 100000 - weights.reduce((s, w) => s + w, 0);
  return weights;
}

function makeRollout(rng, variationCount, { allowExperiment }) {
  const experiment = allowExperiment && rng.chance(0.3);
  const used = rng.sample(range(variationCount), Math.min(variationCount, rng.int(2, variationCount)));
  const weights = makeWeights(rng, used.length);
  const rollout = {
    variations: used.map((variation, i) => {
      const wv = { variation, weight: weights[i] };
      if (experiment) wv.untracked = false;
      return wv;
    }),
  };
  if (experiment) {
    rollout.kind = 'experiment';
    rollout.seed = rng.int(1, 2 ** 31 - 1);
    // Experiments usually leave some traffic out of the experiment.
    if (rng.chance(0.4) && rollout.variations.length > 1) {
      const wv = rollout.variations[rollout.variations.length - 1];
      wv.untracked = true;
    }
  } else if (rng.chance(0.15)) {
    rollout.kind = 'rollout';
  }
  const bucketing = rng.weighted({ key: 70, attr: 15, org: 15 });
  if (bucketing === 'attr') rollout.bucketBy = rng.pick(['email', 'country', 'plan']);
  if (bucketing === 'org') rollout.contextKind = 'org';
  return rollout;
}

function makeFlag(rng, index, earlierFlags, segmentKeys) {
  const type = rng.weighted({ boolean: 55, string: 20, number: 12, json: 13 });
  const key = `flag-${index}-${type}`;
  const variations = makeVariations(rng, type);
  const vCount = variations.length;
  const on = !rng.chance(0.1);

  // Prerequisites: 0-3, only on earlier flags (acyclic by construction).
  const prerequisites = [];
  if (earlierFlags.length > 0 && rng.chance(0.25)) {
    const n = rng.weighted({ 1: 60, 2: 30, 3: 10 });
    for (const pre of rng.sample(earlierFlags, Number(n))) {
      prerequisites.push({ key: pre.key, variation: rng.int(0, pre.variations.length - 1) });
    }
  }

  // Individual targets.
  const targets = [];
  const contextTargets = [];
  if (rng.chance(0.4)) {
    const pool = rng.sample(range(USER_COUNT), rng.int(5, 50) * Math.min(vCount, 2));
    const perVar = rng.sample(range(vCount), Math.min(vCount, rng.int(1, 2)));
    perVar.forEach((variation, i) => {
      const values = pool.filter((_, j) => j % perVar.length === i).map(userKey);
      targets.push({ values, variation });
    });
    if (rng.chance(0.35)) {
      // Newer format: contextTargets orders evaluation; user entries with empty
      // values defer to the matching `targets` list.
      for (const t of targets) contextTargets.push({ contextKind: 'user', values: [], variation: t.variation });
      contextTargets.push({
        contextKind: 'org',
        values: rng.sample(range(ORG_COUNT), rng.int(3, 20)).map(orgKey),
        variation: rng.int(0, vCount - 1),
      });
    }
  }

  // Rules.
  const rules = [];
  const ruleCount = rng.weighted({ 0: 20, 1: 30, 2: 25, 3: 15, 5: 7, 8: 3 });
  for (let r = 0; r < Number(ruleCount); r++) {
    const rule = {
      id: `${rng.id(8)}-${rng.id(4)}-${rng.id(4)}-${rng.id(12)}`,
      clauses: makeClauses(rng, rng.weighted({ 1: 55, 2: 30, 3: 15 }), segmentKeys, 0.15),
      trackEvents: rng.chance(0.1),
    };
    if (rng.chance(0.3)) rule.rollout = makeRollout(rng, vCount, { allowExperiment: true });
    else rule.variation = rng.int(0, vCount - 1);
    if (rng.chance(0.05)) rule.description = `rule ${r} of ${key}`;
    rules.push(rule);
  }

  const fallthrough = rng.chance(0.35)
    ? { rollout: makeRollout(rng, vCount, { allowExperiment: true }) }
    : { variation: rng.int(0, vCount - 1) };

  const flag = {
    key,
    version: rng.int(1, 500),
    on,
    prerequisites,
    targets,
    contextTargets,
    rules,
    fallthrough,
    variations,
    clientSide: rng.chance(0.3),
    clientSideAvailability: { usingMobileKey: rng.chance(0.3), usingEnvironmentId: rng.chance(0.3) },
    salt: rng.id(32),
    trackEvents: rng.chance(0.05),
    trackEventsFallthrough: rng.chance(0.05),
    debugEventsUntilDate: null,
    deleted: false,
  };
  // A few flags have no off variation: evaluating them while off yields the default.
  if (!rng.chance(0.04)) flag.offVariation = rng.int(0, vCount - 1);
  return flag;
}

// ---------------------------------------------------------------------------
// Clauses

const dateValue = (rng) => {
  const ms = DATE_MIN + Math.floor(rng.next() * (DATE_MAX - DATE_MIN));
  return rng.chance(0.5) ? ms : new Date(ms).toISOString();
};

/** Clause templates, weighted. Each returns a clause without `negate`. */
const CLAUSE_MAKERS = {
  countryIn: [14, (rng) => ({ attribute: 'country', op: 'in', values: rng.sample(COUNTRIES, rng.int(1, 4)) })],
  planIn: [10, (rng) => ({ contextKind: 'user', attribute: 'plan', op: 'in', values: rng.sample(PLANS, rng.int(1, 2)) })],
  keyIn: [4, (rng) => ({ attribute: 'key', op: 'in', values: rng.sample(range(USER_COUNT), rng.int(3, 30)).map(userKey) })],
  groupsIn: [6, (rng) => ({ attribute: 'groups', op: 'in', values: rng.sample(GROUPS, rng.int(1, 2)) })],
  ageIn: [2, (rng) => ({ attribute: 'age', op: 'in', values: [rng.int(18, 70), rng.int(18, 70)] })],
  emailEndsWith: [7, (rng) => ({ attribute: 'email', op: 'endsWith', values: rng.sample(DOMAINS, rng.int(1, 2)).map((d) => `@${d}`) })],
  emailStartsWith: [4, (rng) => ({ attribute: 'email', op: 'startsWith', values: rng.sample(FIRST_NAMES, rng.int(1, 3)) })],
  nameContains: [4, (rng) => ({ attribute: 'name', op: 'contains', values: [rng.pick(FIRST_NAMES).slice(0, 3)] })],
  emailMatches: [4, (rng) => ({
    attribute: 'email', op: 'matches',
    values: [rng.pick(['^[a-h][a-z]*\\.', '@(acme|corp)\\.', '\\d{3}@', '^(bob|zoe|ivan)\\b', '\\.(io|dev)$'])],
  })],
  ageLess: [5, (rng) => ({ attribute: 'age', op: rng.pick(['lessThan', 'lessThanOrEqual']), values: [rng.int(20, 60)] })],
  ageGreater: [5, (rng) => ({ attribute: 'age', op: rng.pick(['greaterThan', 'greaterThanOrEqual']), values: [rng.int(20, 60)] })],
  createdBefore: [4, (rng) => ({ attribute: 'createdAt', op: 'before', values: [dateValue(rng)] })],
  createdAfter: [4, (rng) => ({ attribute: 'createdAt', op: 'after', values: [dateValue(rng)] })],
  semverEq: [3, (rng) => ({ attribute: 'version', op: 'semVerEqual', values: [rng.pick(VERSIONS)] })],
  semverGt: [4, (rng) => ({ attribute: 'version', op: 'semVerGreaterThan', values: [rng.pick(VERSIONS)] })],
  semverLt: [4, (rng) => ({ attribute: 'version', op: 'semVerLessThan', values: [rng.pick(VERSIONS)] })],
  cityIn: [3, (rng) => ({ contextKind: 'user', attribute: '/address/city', op: 'in', values: rng.sample(CITIES, rng.int(1, 3)) })],
  anonymous: [1, () => ({ attribute: 'anonymous', op: 'in', values: [true] })],
  orgTier: [6, (rng) => ({ contextKind: 'org', attribute: 'tier', op: 'in', values: rng.sample(TIERS, rng.int(1, 2)) })],
  orgRegion: [4, (rng) => ({ contextKind: 'org', attribute: 'region', op: 'in', values: rng.sample(REGIONS, rng.int(1, 2)) })],
  orgSize: [3, (rng) => ({ contextKind: 'org', attribute: 'employees', op: 'greaterThan', values: [rng.pick([10, 50, 200, 1000])] })],
  orgKey: [2, (rng) => ({ contextKind: 'org', attribute: 'key', op: 'in', values: rng.sample(range(ORG_COUNT), rng.int(2, 15)).map(orgKey) })],
  kindIs: [2, (rng) => ({ attribute: 'kind', op: 'in', values: [rng.pick(['org', 'user'])] })],
};
const CLAUSE_WEIGHTS = Object.fromEntries(Object.entries(CLAUSE_MAKERS).map(([k, [w]]) => [k, w]));

function makeClauses(rng, n, segmentKeys, segmentChance) {
  const clauses = [];
  for (let i = 0; i < n; i++) {
    let clause;
    if (segmentKeys.length > 0 && rng.chance(segmentChance)) {
      clause = { attribute: '', op: 'segmentMatch', values: rng.sample(segmentKeys, rng.int(1, 2)) };
    } else {
      clause = CLAUSE_MAKERS[rng.weighted(CLAUSE_WEIGHTS)][1](rng);
    }
    clause.negate = rng.chance(0.1);
    clauses.push(clause);
  }
  return clauses;
}

// ---------------------------------------------------------------------------
// Contexts

/**
 * Generate evaluation contexts: mostly single-kind users, some user+org multi-kind,
 * a few org-only contexts.
 * @param {{count?: number, seed?: number}} [opts]
 * @returns {object[]}
 */
export function generateContexts({ count = 10000, seed = 2 } = {}) {
  const rng = createRng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const shape = rng.weighted({ user: 78, multi: 19, org: 3 });
    if (shape === 'user') out.push(makeUser(rng));
    else if (shape === 'org') out.push(makeOrg(rng));
    else out.push({ kind: 'multi', user: stripKind(makeUser(rng)), org: stripKind(makeOrg(rng)) });
  }
  return out;
}

function stripKind(ctx) {
  const { kind, ...rest } = ctx;
  return rest;
}

function makeUser(rng) {
  const idx = rng.int(0, USER_COUNT - 1);
  const first = rng.pick(FIRST_NAMES);
  const user = { kind: 'user', key: userKey(idx) };
  if (rng.chance(0.03)) user.anonymous = true;
  if (rng.chance(0.9)) user.name = `${first[0].toUpperCase()}${first.slice(1)} ${rng.pick(FIRST_NAMES)}`;
  if (rng.chance(0.92)) user.email = `${first}.${rng.int(0, 999)}@${rng.pick(DOMAINS)}`;
  if (rng.chance(0.95)) user.country = rng.pick(COUNTRIES);
  if (rng.chance(0.9)) user.plan = rng.pick(PLANS);
  if (rng.chance(0.85)) user.version = rng.pick(VERSIONS);
  if (rng.chance(0.85)) user.age = rng.chance(0.9) ? rng.int(16, 80) : String(rng.int(16, 80));
  if (rng.chance(0.85)) {
    const ms = DATE_MIN + Math.floor(rng.next() * (DATE_MAX - DATE_MIN));
    const shape = rng.weighted({ ms: 60, iso: 32, offset: 8 });
    if (shape === 'ms') user.createdAt = ms;
    else if (shape === 'iso') user.createdAt = new Date(ms).toISOString();
    else user.createdAt = new Date(ms).toISOString().slice(0, 19) + '+02:00'; // RFC 3339 with offset
  }
  if (rng.chance(0.7)) user.groups = rng.sample(GROUPS, rng.int(0, 4));
  if (rng.chance(0.5)) user.address = { city: rng.pick(CITIES), zip: String(rng.int(10000, 99999)) };
  if (rng.chance(0.1)) user._meta = { privateAttributes: ['email'] };
  return user;
}

function makeOrg(rng) {
  const idx = rng.int(0, ORG_COUNT - 1);
  const org = { kind: 'org', key: orgKey(idx), name: `Org ${idx}` };
  if (rng.chance(0.9)) org.tier = rng.pick(TIERS);
  if (rng.chance(0.8)) org.region = rng.pick(REGIONS);
  if (rng.chance(0.8)) org.employees = rng.pick([3, 12, 45, 120, 800, 5000]);
  return org;
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}
