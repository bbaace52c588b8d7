/**
 * Contexts as analytics events carry them (event schema 4, inline form), with private attributes
 * removed and listed in `_meta.redactedAttributes`.
 *
 * The result is always a fresh copy of plain JSON data, made when the event is recorded: the
 * queue then holds nothing of the caller's objects (so later mutation cannot change or leak into
 * an event) and never holds a private value at all.
 */
import { parseAttributeRef, type AttributeRef } from '../attributeRef.js';
import { Context, type SingleContext } from '../context.js';

export type JsonObject = { [key: string]: unknown };

/** Top-level builtins of the older user object that LaunchDarkly sends as strings. */
const LEGACY_STRING_BUILTINS = ['name', 'ip', 'firstName', 'lastName', 'email', 'avatar', 'country'];

/** Attributes that identify a context; a private-attribute entry naming them is ignored. */
const PROTECTED = new Set(['key', 'kind', 'anonymous', '_meta']);

/** Deeper than any real context; guards against pathological nesting. */
const MAX_DEPTH = 64;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON-safe deep copy: values JSON cannot hold (functions, symbols, bigints, undefined) and
 * cycles are dropped, so serializing a queued event can never throw.
 */
export function copyJson(value: unknown, ancestors: unknown[] = [], depth = 0): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH || ancestors.includes(value)) return undefined;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    try {
      return copyJson(toJSON.call(value), ancestors, depth + 1);
    } catch {
      return undefined;
    }
  }
  ancestors.push(value);
  let out: unknown;
  if (Array.isArray(value)) {
    const arr: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copyJson(value[i], ancestors, depth + 1);
      arr[i] = item === undefined ? null : item;
    }
    out = arr;
  } else {
    const obj: JsonObject = {};
    for (const k of Object.keys(value)) {
      const item = copyJson((value as JsonObject)[k], ancestors, depth + 1);
      if (item !== undefined) obj[k] = item;
    }
    out = obj;
  }
  ancestors.pop();
  return out;
}

/** How a redacted entry is named: the reference text, or a literal escaped into a reference. */
function literalName(name: string): string {
  return name.startsWith('/') ? `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` : name;
}

interface Ref {
  readonly components: readonly string[];
  readonly name: string;
}

function refFromText(text: string): Ref | undefined {
  const ref: AttributeRef = parseAttributeRef(text);
  if (!ref.valid || ref.components[0] === '_meta') return undefined;
  if (ref.components.length === 1 && PROTECTED.has(ref.components[0])) return undefined;
  return { components: ref.components, name: text };
}

function refFromLiteral(name: string): Ref | undefined {
  if (typeof name !== 'string' || name === '' || PROTECTED.has(name)) return undefined;
  return { components: [name], name: literalName(name) };
}

/** The attributes of one context as LaunchDarkly models them, before redaction. */
function sourceAttributes(single: SingleContext): [string, unknown][] {
  const attrs = single.attributes;
  const out: [string, unknown][] = [];
  if (!single.legacy) {
    for (const name of Object.keys(attrs)) {
      if (!PROTECTED.has(name)) out.push([name, attrs[name]]);
    }
    return out;
  }
  // The older user object: custom attributes become top-level ones; builtins override them;
  // `secondary` no longer exists.
  const seen = new Map<string, number>();
  const put = (name: string, value: unknown) => {
    const at = seen.get(name);
    if (at === undefined) {
      seen.set(name, out.length);
      out.push([name, value]);
    } else {
      out[at] = [name, value];
    }
  };
  const custom = attrs.custom;
  if (isPlainObject(custom)) {
    for (const name of Object.keys(custom)) {
      if (!PROTECTED.has(name)) put(name, custom[name]);
    }
  }
  for (const name of LEGACY_STRING_BUILTINS) {
    const value = attrs[name];
    if (value !== null && value !== undefined) put(name, String(value));
  }
  return out;
}

/**
 * Copies `value` without the properties `refs` name below it (`depth` components already
 * matched), recording each one removed.
 */
function copyWithout(value: JsonObject, refs: readonly Ref[], depth: number, removed: string[], ancestors: unknown[]): JsonObject {
  const out: JsonObject = {};
  ancestors.push(value);
  for (const name of Object.keys(value)) {
    const copied = copyAttribute(name, value[name], refs, depth, removed, ancestors);
    if (copied !== undefined) out[name] = copied;
  }
  ancestors.pop();
  return out;
}

/** One attribute, redacted as the references ask; undefined when removed or not JSON. */
function copyAttribute(
  name: string,
  value: unknown,
  refs: readonly Ref[],
  depth: number,
  removed: string[],
  ancestors: unknown[],
): unknown {
  let deeper: Ref[] | undefined;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    if (ref.components[depth] !== name) continue;
    if (ref.components.length === depth + 1) {
      removed.push(ref.name);
      return undefined;
    }
    (deeper ??= []).push(ref);
  }
  // Only plain objects are walked into; a reference never reaches inside an array.
  if (deeper !== undefined && isPlainObject(value) && !ancestors.includes(value) && depth < MAX_DEPTH) {
    return copyWithout(value, deeper, depth + 1, removed, ancestors);
  }
  return copyJson(value, ancestors, depth + 1);
}

/**
 * Whether events treat a context as anonymous. The older user object's `anonymous` was any
 * truthy value, and LaunchDarkly sends it as a boolean, so events honour it the same way.
 */
export function isAnonymous(single: SingleContext): boolean {
  const flag = single.attributes.anonymous;
  return single.legacy ? Boolean(flag) : flag === true;
}

/** True when the context or any member of it is anonymous. */
export function hasAnonymousMember(context: Context): boolean {
  const members = context.contexts;
  for (let i = 0; i < members.length; i++) if (isAnonymous(members[i])) return true;
  return false;
}

/** Makes event contexts under one configuration's private-attribute settings. */
export class ContextRedactor {
  private readonly globalRefs: readonly Ref[];

  constructor(
    private readonly allAttributesPrivate: boolean,
    privateAttributes: readonly string[],
  ) {
    this.globalRefs = privateAttributes.map(refFromText).filter((r): r is Ref => r !== undefined);
  }

  /**
   * The event form of `context`. With `redactAnonymous`, every attribute of an anonymous context
   * (or anonymous member of a multi-kind one) is removed, as LaunchDarkly does for the contexts in
   * feature and custom events.
   */
  redact(context: Context, redactAnonymous = false): JsonObject {
    const members = context.contexts;
    if (!context.isMulti) return this.redactSingle(members[0], true, redactAnonymous);
    const out: JsonObject = { kind: 'multi' };
    for (let i = 0; i < members.length; i++) {
      out[members[i].kind] = this.redactSingle(members[i], false, redactAnonymous);
    }
    return out;
  }

  private redactSingle(single: SingleContext, withKind: boolean, redactAnonymous: boolean): JsonObject {
    const out: JsonObject = withKind ? { kind: single.kind, key: single.key } : { key: single.key };
    const attrs = single.attributes;
    const anonymous = single.legacy
      ? attrs.anonymous === null || attrs.anonymous === undefined
        ? undefined
        : Boolean(attrs.anonymous)
      : copyJson(attrs.anonymous);
    const removed: string[] = [];
    const source = sourceAttributes(single);

    if (this.allAttributesPrivate || (redactAnonymous && isAnonymous(single))) {
      for (const [name] of source) removed.push(literalName(name));
    } else {
      const refs = this.refsFor(single);
      const ancestors: unknown[] = [attrs];
      for (const [name, value] of source) {
        const copied = refs.length === 0 ? copyJson(value, ancestors, 1) : copyAttribute(name, value, refs, 0, removed, ancestors);
        if (copied !== undefined) out[name] = copied;
      }
    }
    if (anonymous !== undefined) out.anonymous = anonymous;
    if (removed.length > 0) out._meta = { redactedAttributes: removed.sort() };
    return out;
  }

  private refsFor(single: SingleContext): readonly Ref[] {
    const own = single.privateAttributes();
    if (own.length === 0) return this.globalRefs;
    const refs = this.globalRefs.slice();
    for (const text of own) {
      // The older user object names attributes literally; contexts use references.
      const ref = single.legacy ? refFromLiteral(text) : refFromText(text);
      if (ref !== undefined) refs.push(ref);
    }
    return refs;
  }
}

/**
 * The context without its anonymous parts, for `omitAnonymousContexts`: undefined when nothing
 * is left.
 */
export function withoutAnonymous(context: Context): Context | undefined {
  const members = context.contexts;
  let anonymousCount = 0;
  for (let i = 0; i < members.length; i++) if (isAnonymous(members[i])) anonymousCount++;
  if (anonymousCount === 0) return context;
  if (anonymousCount === members.length) return undefined;
  const kept = members.filter((m) => !isAnonymous(m));
  return Context.multi(kept);
}
