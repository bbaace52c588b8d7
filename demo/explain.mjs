// Says in words why a context got the value it did: the evaluation reason, read against the flag's
// rules in the payload the demo seeded, so that each line of `npm start` can be checked by eye.

/** The context's key for `kind`, from a single-kind or a multi-kind context. */
function keyOf(context, kind) {
  if (context.kind === 'multi') return context[kind]?.key;
  return (context.kind ?? 'user') === kind ? context.key : undefined;
}

const OPS = {
  in: 'is one of',
  endsWith: 'ends with',
  startsWith: 'starts with',
  matches: 'matches',
  contains: 'contains',
  lessThan: '<',
  lessThanOrEqual: '<=',
  greaterThan: '>',
  greaterThanOrEqual: '>=',
  before: 'is before',
  after: 'is after',
  semVerEqual: 'is version',
  semVerLessThan: 'is a version below',
  semVerGreaterThan: 'is a version above',
};

function describeClause(clause) {
  const kind = clause.contextKind ?? 'user';
  if (clause.op === 'segmentMatch') {
    return `the ${kind} is ${clause.negate ? 'not ' : ''}in segment ${clause.values.map((v) => `"${v}"`).join(' or ')}`;
  }
  const values = clause.values.map((v) => JSON.stringify(v)).join(', ');
  return `${kind} ${clause.attribute} ${clause.negate ? 'not ' : ''}${OPS[clause.op] ?? clause.op} ${values}`;
}

function percent(weight) {
  return `${Math.round(weight / 1000)}%`;
}

function describeRollout(flag, rollout, variationIndex) {
  const shares = rollout.variations.map((v) => `${JSON.stringify(flag.variations[v.variation])} ${percent(v.weight)}`).join(' / ');
  return `a percentage rollout (${shares}) put this context in the bucket of ${JSON.stringify(flag.variations[variationIndex])}`;
}

/**
 * Why `detail` (a `{ value, variationIndex, reason }`) is what `context` got for `flag` (the flag's
 * data; undefined when the payload has no such flag); `flags` is the payload's flags, by key.
 */
export function explain(flag, detail, context, flags = {}) {
  const { reason, variationIndex } = detail;
  switch (reason.kind) {
    case 'OFF':
      return 'the flag is off, so everyone gets its off variation';
    case 'TARGET_MATCH': {
      const lists = [
        ...(flag?.targets ?? []).map((t) => ({ ...t, contextKind: 'user' })),
        ...(flag?.contextTargets ?? []),
      ];
      const hit = lists.find((t) => t.variation === variationIndex && t.values.includes(keyOf(context, t.contextKind ?? 'user')));
      const kind = hit?.contextKind ?? 'user';
      return `${kind} "${keyOf(context, kind) ?? '?'}" is targeted individually`;
    }
    case 'RULE_MATCH': {
      const rule = flag?.rules?.[reason.ruleIndex];
      const clauses = rule ? rule.clauses.map(describeClause).join(' and ') : 'its clauses';
      const rollout = rule?.rollout ? `; ${describeRollout(flag, rule.rollout, variationIndex)}` : '';
      return `rule ${reason.ruleIndex + 1}${reason.ruleId ? ` ("${reason.ruleId}")` : ''} matched: ${clauses}${rollout}`;
    }
    case 'FALLTHROUGH': {
      const rollout = flag?.fallthrough?.rollout;
      const how = rollout ? describeRollout(flag, rollout, variationIndex) : `it serves ${JSON.stringify(detail.value)}`;
      return `no target or rule matched, so the default rule applies: ${how}`;
    }
    case 'PREREQUISITE_FAILED': {
      const prerequisite = flag?.prerequisites?.find((p) => p.key === reason.prerequisiteKey);
      const needed = prerequisite === undefined ? undefined : flags[reason.prerequisiteKey]?.variations?.[prerequisite.variation];
      const want = needed === undefined ? 'its required variation' : JSON.stringify(needed);
      return `it applies only where prerequisite "${reason.prerequisiteKey}" is ${want}, which it is not here, so the off variation is served`;
    }
    case 'ERROR':
      return `evaluation failed (${reason.errorKind}), so the default value is served`;
    default:
      return JSON.stringify(reason);
  }
}
