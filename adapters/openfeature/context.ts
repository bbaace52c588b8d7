/**
 * OpenFeature evaluation contexts as LaunchDarkly contexts, by the rules LaunchDarkly's own
 * OpenFeature providers document:
 * - no `kind`: one context of kind `user`; a `kind` that is not a string is ignored (warned);
 * - `kind: "multi"`: every other attribute holding an object is the context of that kind;
 * - any other `kind`: one context of that kind;
 * - the key is `targetingKey`, else `key`; `anonymous` (boolean) and `name` (string) keep their
 *   LaunchDarkly meaning, `privateAttributes` (strings) becomes `_meta.privateAttributes`;
 *   everything else is an attribute, nested objects included, dates as ISO 8601 strings.
 */
import type { EvaluationContext, EvaluationContextValue } from '@openfeature/core';
import type { LDContext, LDJsonValue, LDSingleKindContext } from '../../src/lean.js';

/** The conversion: a LaunchDarkly context, or (`missingKey`) no usable key; `warnings` either way. */
export type ConvertedContext =
  | { readonly context: LDContext; readonly missingKey?: undefined; readonly warnings: readonly string[] }
  | { readonly context?: undefined; readonly missingKey: string; readonly warnings: readonly string[] };

/** Attributes with a meaning of their own, never copied as plain attributes. */
const SPECIAL = new Set(['kind', 'key', 'targetingKey', 'anonymous', 'privateAttributes', '_meta']);

function jsonOf(value: EvaluationContextValue): LDJsonValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonOf);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: LDJsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonOf(v);
    return out;
  }
  return value;
}

function single(
  attributes: Record<string, EvaluationContextValue | undefined>,
  kind: string,
  warnings: string[],
): LDSingleKindContext | undefined {
  const key = typeof attributes.targetingKey === 'string' ? attributes.targetingKey : attributes.key;
  if (typeof key !== 'string' || key === '') return undefined;
  const context: LDSingleKindContext = { kind, key };
  for (const [name, value] of Object.entries(attributes)) {
    if (SPECIAL.has(name) || value === undefined) continue;
    if (name === 'name' && typeof value !== 'string' && value !== null) {
      warnings.push(`context of kind "${kind}": attribute "name" must be a string; it is left out`);
      continue;
    }
    context[name] = jsonOf(value);
  }
  const { anonymous, privateAttributes } = attributes;
  if (typeof anonymous === 'boolean') context.anonymous = anonymous;
  else if (anonymous !== undefined) warnings.push(`context of kind "${kind}": "anonymous" must be a boolean; it is left out`);
  if (Array.isArray(privateAttributes) && privateAttributes.every((a) => typeof a === 'string')) {
    context._meta = { privateAttributes: privateAttributes as string[] };
  } else if (privateAttributes !== undefined) {
    warnings.push(`context of kind "${kind}": "privateAttributes" must be an array of strings; it is left out`);
  }
  return context;
}

const isObject = (value: unknown): value is Record<string, EvaluationContextValue> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

export function toLDContext(evaluationContext: EvaluationContext): ConvertedContext {
  const warnings: string[] = [];
  const kind = evaluationContext.kind;
  if (kind !== 'multi') {
    let ownKind = 'user';
    if (typeof kind === 'string') ownKind = kind;
    else if (kind !== undefined) warnings.push('"kind" must be a string; evaluating as kind "user"');
    const context = single(evaluationContext, ownKind, warnings);
    return context
      ? { context, warnings }
      : { missingKey: `context of kind "${ownKind}" has no "targetingKey" (or "key")`, warnings };
  }
  const multi: Record<string, unknown> = { kind: 'multi' };
  let members = 0;
  for (const [memberKind, value] of Object.entries(evaluationContext)) {
    if (memberKind === 'kind' || value === undefined) continue;
    if (!isObject(value)) {
      warnings.push(`multi-kind context: "${memberKind}" is not an object, so not a context; it is left out`);
      continue;
    }
    const member = single(value, memberKind, warnings);
    if (member === undefined) return { missingKey: `context of kind "${memberKind}" has no "targetingKey" (or "key")`, warnings };
    const { kind: _kind, ...rest } = member;
    multi[memberKind] = rest;
    members++;
  }
  if (members === 0) return { missingKey: 'multi-kind context has no contexts', warnings };
  return { context: multi as unknown as LDContext, warnings };
}
