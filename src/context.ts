/**
 * Contexts as the evaluator sees them. A caller's context object is validated once per call and
 * wrapped, never copied: attribute lookups read the caller's object directly.
 */
import type { AttributeRef } from './attributeRef.js';
import { hasOwn, isRecord } from './util/json.js';

const KIND_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Top-level attributes of the older user object that events send as strings. */
export const LEGACY_STRING_BUILTINS = ['name', 'ip', 'firstName', 'lastName', 'email', 'avatar', 'country'];

/**
 * The top-level attributes of the older user object that evaluation reads where they are set and
 * not null, before `custom`; anything else (`secondary` too) is read from `custom` alone.
 */
const LEGACY_BUILTINS: ReadonlySet<string> = new Set([...LEGACY_STRING_BUILTINS, 'anonymous']);

const enumerable = Object.prototype.propertyIsEnumerable;

type JsonObject = { [key: string]: unknown };

/** A member as canonical keys spell it: `kind:key`, with `%` and `:` in the key escaped. */
function qualifiedKey(context: SingleContext): string {
  return `${context.kind}:${context.key.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/** One kind of a context, over the caller's own object. */
export class SingleContext {
  readonly isMulti = false;
  #members: readonly SingleContext[] | undefined;
  #canonicalKey: string | undefined;

  constructor(
    readonly kind: string,
    readonly key: string,
    /** The attributes object: the context itself, a multi-kind member, or a legacy user. */
    readonly attributes: JsonObject,
    /** True for the older user object, whose custom attributes sit under `custom`. */
    readonly legacy: boolean,
  ) {}

  /** This context as the only member: the shape multi-kind contexts share. */
  get contexts(): readonly SingleContext[] {
    return (this.#members ??= [this]);
  }

  forKind(kind: string): SingleContext | undefined {
    return kind === this.kind ? this : undefined;
  }

  /**
   * The key LaunchDarkly uses to identify a context across kinds: the bare key for a user,
   * `kind:key` otherwise (and multi-kind members joined in kind order).
   */
  get canonicalKey(): string {
    return this.kind === 'user' ? this.key : (this.#canonicalKey ??= qualifiedKey(this));
  }

  /** The value at `ref`, or undefined when absent. `ref` must be valid. */
  valueOf(ref: AttributeRef): unknown {
    const components = ref.components;
    const first = components[0];
    const attributes = this.attributes;
    let value: unknown;
    if (first === 'kind') value = this.kind;
    else if (first === 'key') value = this.key;
    else if (first === '_meta') return undefined;
    else {
      value = hasOwn(attributes, first) ? attributes[first] : undefined;
      // The older user object reads as LaunchDarkly converts it: `custom`'s own enumerable
      // members spread first (whatever `custom` is), then the builtins that are set and not null.
      if (this.legacy && (value == null || !LEGACY_BUILTINS.has(first))) {
        const custom = attributes.custom;
        value = custom != null && enumerable.call(custom, first) ? (custom as JsonObject)[first] : undefined;
      }
      // Any truthy `anonymous` counts, as in LaunchDarkly's SDKs.
      if (first === 'anonymous' && components.length === 1) return !!value;
    }
    for (let i = 1; i < components.length; i++) {
      if (!isRecord(value)) return undefined;
      const part = components[i];
      value = hasOwn(value, part) ? value[part] : undefined;
    }
    return value;
  }

  /** `_meta.privateAttributes`, or the older `privateAttributeNames`. */
  privateAttributes(): readonly string[] {
    // A `_meta` that is not an object has no `privateAttributes`: the array check below drops it.
    const list = this.legacy
      ? this.attributes.privateAttributeNames
      : (this.attributes._meta as { privateAttributes?: unknown } | null | undefined)?.privateAttributes;
    return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
  }
}

/** A context of two or more kinds, members sorted by kind. */
export class MultiContext {
  readonly kind = 'multi';
  readonly isMulti = true;
  #canonicalKey: string | undefined;

  constructor(
    readonly contexts: readonly SingleContext[],
    /** The caller's multi-kind object, when there is one. */
    readonly attributes?: JsonObject,
  ) {}

  /** The member of the given kind, if any. */
  forKind(kind: string): SingleContext | undefined {
    const contexts = this.contexts;
    for (let i = 0; i < contexts.length; i++) if (contexts[i].kind === kind) return contexts[i];
    return undefined;
  }

  get canonicalKey(): string {
    return (this.#canonicalKey ??= this.contexts.map(qualifiedKey).join(':'));
  }
}

/**
 * A validated context: one or more kinds, at most one of each. A single-kind context is its own
 * only member, so the common case costs one small object per call.
 */
export type Context = SingleContext | MultiContext;

/** A context from members of distinct kinds; one member is returned as it is. */
export function multiContext(contexts: SingleContext[], attributes?: JsonObject): Context {
  if (contexts.length === 1) return contexts[0];
  contexts.sort((a, b) => (a.kind < b.kind ? -1 : 1));
  return new MultiContext(contexts, attributes);
}

/** Why a caller's context was refused: a message naming what is wrong. */
export type ContextError = string;

/** The outcome of validating a caller's context: the context, or why it was refused. */
export type ContextResult = Context | ContextError;

/** Kinds seen so far and whether they are valid: a handful per process, so worth remembering. */
const kindValidity = new Map<string, boolean>();

function validKind(kind: unknown): kind is string {
  if (typeof kind !== 'string') return false;
  let valid = kindValidity.get(kind);
  if (valid === undefined) {
    valid = kind !== 'kind' && kind !== 'multi' && KIND_PATTERN.test(kind);
    if (kindValidity.size < 1000) kindValidity.set(kind, valid);
  }
  return valid;
}

/** One kind's context, or why it is refused. */
function singleFrom(kind: unknown, value: unknown, where: string): SingleContext | ContextError {
  if (!validKind(kind)) return `context kind ${JSON.stringify(kind)} is not valid`;
  if (!isRecord(value)) return `${where} must be an object`;
  const key = value.key;
  if (typeof key !== 'string' || key === '') return `${where} needs a non-empty string "key"`;
  return new SingleContext(kind, key, value, false);
}

/**
 * Validates a context, multi-kind context or older user object without throwing, even when
 * reading it throws (a getter, a proxy).
 */
export function toContext(input: unknown): ContextResult {
  try {
    return readContext(input);
  } catch (err) {
    return `context could not be read: ${String(err)}`;
  }
}

function readContext(input: unknown): ContextResult {
  if (!isRecord(input)) return 'context must be an object';
  const kind = input.kind;
  if (kind == null) {
    // The older user object: no kind, custom attributes nested, any key but null, as a string.
    const key = input.key;
    if (key == null) return 'user needs a "key"';
    return new SingleContext('user', typeof key === 'string' ? key : String(key), input, true);
  }
  if (kind !== 'multi') return singleFrom(kind, input, 'context');
  const members: SingleContext[] = [];
  for (const memberKind of Object.keys(input)) {
    if (memberKind === 'kind') continue;
    const member = singleFrom(memberKind, input[memberKind], `context of kind "${memberKind}"`);
    if (isContextError(member)) return member;
    members.push(member);
  }
  if (members.length === 0) return 'multi-kind context has no kinds';
  return multiContext(members, input);
}

export function isContextError(result: ContextResult): result is ContextError {
  return typeof result === 'string';
}
