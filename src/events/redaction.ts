/**
 * Contexts as analytics events carry them (event schema 4, inline form): private attributes
 * removed and listed in `_meta.redactedAttributes`, as a fresh copy of plain JSON data.
 */
import { parseAttributeRef, type AttributeRef } from '../attributeRef.js';
import { LEGACY_STRING_BUILTINS, multiContext, type Context, type SingleContext } from '../context.js';
import { isRecord } from '../util/json.js';

export type JsonObject = { [key: string]: unknown };

/** Attributes that identify a context: never private, and not copied as ordinary attributes. */
const PROTECTED = new Set(['key', 'kind', 'anonymous', '_meta']);

/** Deeper than any real context; guards against pathological nesting. */
const MAX_DEPTH = 64;

/**
 * A JSON-safe deep copy: values JSON cannot hold (functions, symbols, bigints, undefined), cycles
 * and whatever throws when read (a getter, a proxy) are dropped, so neither copying nor
 * serializing the copy can throw. `ancestors` are the objects above `value`.
 */
export function copyJson(value: unknown, ancestors?: unknown[]): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined;
  // Made only here: a primitive allocates nothing.
  const seen = ancestors ?? [];
  if (seen.length >= MAX_DEPTH || seen.includes(value)) return undefined;
  seen.push(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return copyJson(toJSON.call(value), seen);
    if (Array.isArray(value)) return value.map((item) => copyJson(item, seen) ?? null);
    const obj: JsonObject = {};
    for (const key of Object.keys(value)) {
      const item = copyJson((value as JsonObject)[key], seen);
      if (item !== undefined) obj[key] = item;
    }
    return obj;
  } catch {
    return undefined;
  } finally {
    seen.pop();
  }
}

/** How a literal attribute name is listed: as is, or escaped into a reference if it starts with `/`. */
function literalName(name: string): string {
  return name.startsWith('/') ? `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` : name;
}

/**
 * Private-attribute entries as references whose `text` is what gets listed; invalid entries are
 * left out. One naming a protected attribute is kept but matches nothing, since protected
 * attributes are never walked. A literal name, listed as `literalName` spells it, parses back to
 * the one component it names.
 */
function privateRefs(texts: readonly string[], literal: boolean): AttributeRef[] {
  return texts
    .map((text) => parseAttributeRef(literal ? literalName(text) : text))
    .filter((ref) => ref.valid);
}

/**
 * `value` without what `refs` name below `name` (`depth` components matched), each removal listed
 * in `removed`; undefined when `value` itself is removed or is not JSON.
 */
function redactValue(
  name: string,
  value: unknown,
  refs: readonly AttributeRef[],
  depth: number,
  removed: string[],
  ancestors: unknown[],
): unknown {
  let deeper: AttributeRef[] | undefined;
  for (const ref of refs) {
    if (ref.components[depth] !== name) continue;
    if (ref.components.length === depth + 1) {
      removed.push(ref.text);
      return undefined;
    }
    (deeper ??= []).push(ref);
  }
  // Only plain objects are walked into; a reference never reaches inside an array.
  if (deeper === undefined || !isRecord(value) || ancestors.includes(value) || ancestors.length >= MAX_DEPTH) {
    return copyJson(value, ancestors);
  }
  const out: JsonObject = {};
  ancestors.push(value);
  for (const key of Object.keys(value)) {
    const copied = redactValue(key, value[key], deeper, depth + 1, removed, ancestors);
    if (copied !== undefined) out[key] = copied;
  }
  ancestors.pop();
  return out;
}

/**
 * Whether events treat a context as anonymous. The older user object's `anonymous` was any
 * truthy value, and LaunchDarkly sends it as a boolean, so events honour it the same way.
 */
function isAnonymous(single: SingleContext): boolean {
  const flag = single.attributes.anonymous;
  return single.legacy ? Boolean(flag) : flag === true;
}

/** True when the context or any member of it is anonymous. */
export function hasAnonymousMember(context: Context): boolean {
  return context.contexts.some(isAnonymous);
}

/** The context without its anonymous members, for `omitAnonymousContexts`; undefined if none is left. */
export function withoutAnonymous(context: Context): Context | undefined {
  if (!hasAnonymousMember(context)) return context;
  const kept = context.contexts.filter((member) => !isAnonymous(member));
  return kept[0] && multiContext(kept);
}

/** Makes event contexts under one configuration's private-attribute settings. */
export class ContextRedactor {
  readonly #allPrivate: boolean;
  readonly #refs: AttributeRef[];

  constructor(allAttributesPrivate: boolean, privateAttributes: readonly string[]) {
    this.#allPrivate = allAttributesPrivate;
    this.#refs = privateRefs(privateAttributes, false);
  }

  /**
   * The event form of `context`. With `redactAnonymous`, every attribute of an anonymous context
   * (or anonymous member of a multi-kind one) is removed, as LaunchDarkly does for the contexts in
   * feature and custom events.
   */
  redact(context: Context, redactAnonymous?: boolean): JsonObject {
    if (!context.isMulti) return this.#redactSingle(context, redactAnonymous, { kind: context.kind, key: context.key });
    const out: JsonObject = { kind: 'multi' };
    for (const member of context.contexts) {
      out[member.kind] = this.#redactSingle(member, redactAnonymous, { key: member.key });
    }
    return out;
  }

  /** Completes `out`, which holds the identifying `kind` (outside a multi-kind context) and `key`. */
  #redactSingle(single: SingleContext, redactAnonymous: boolean | undefined, out: JsonObject): JsonObject {
    const attrs = single.attributes;
    let source = attrs;
    if (single.legacy) {
      // The older user object: custom attributes become top-level ones, builtins (as strings)
      // override them, and `secondary` no longer exists.
      source = isRecord(attrs.custom) ? { ...attrs.custom } : {};
      for (const name of LEGACY_STRING_BUILTINS) {
        const value = attrs[name];
        if (value !== null && value !== undefined) source[name] = String(value);
      }
    }
    const redactAll = this.#allPrivate || (redactAnonymous && isAnonymous(single));
    // The older user object names attributes literally; contexts use references.
    const refs = [...this.#refs, ...privateRefs(single.privateAttributes(), single.legacy)];
    const removed: string[] = [];
    const ancestors: unknown[] = [attrs];
    for (const name of Object.keys(source)) {
      if (PROTECTED.has(name)) continue;
      if (redactAll) {
        removed.push(literalName(name));
      } else {
        const copied = redactValue(name, source[name], refs, 0, removed, ancestors);
        if (copied !== undefined) out[name] = copied;
      }
    }
    // The older user object's `anonymous` is sent as a boolean, as LaunchDarkly does.
    const flag = attrs.anonymous;
    const anonymous = !single.legacy ? copyJson(flag) : flag === null || flag === undefined ? undefined : Boolean(flag);
    if (anonymous !== undefined) out.anonymous = anonymous;
    if (removed.length > 0) out._meta = { redactedAttributes: removed.sort() };
    return out;
  }
}
