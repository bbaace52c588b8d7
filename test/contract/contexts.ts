/**
 * The harness's context commands. ldedge takes contexts as plain JSON objects, so "building",
 * "converting" and "comparing" happen over those: type checks on the JSON here, then the engine's
 * own context validation (`toContext`) decides whether the result is a context ldedge accepts.
 */
import { isContextError, toContext } from '../../src/context.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type ContextResult = { output: string } | { error: string };

class InvalidContext extends Error {}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new InvalidContext(message);
}

/**
 * Builds a context, then asks the engine about it (or about `input`, the caller's own JSON, which
 * may be an older user object): what ldedge would refuse is an error, not output.
 */
function attempt(build: () => JsonObject, input?: unknown): ContextResult {
  try {
    const context = build();
    const checked = toContext(input ?? context);
    if (isContextError(checked)) return { error: checked };
    return { output: JSON.stringify(context) };
  } catch (err) {
    if (err instanceof InvalidContext) return { error: err.message };
    throw err;
  }
}

function privateList(value: Json | undefined, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(`${where} must be an array of strings`);
  return value.length > 0 ? (value as string[]) : undefined;
}

/** One kind's attributes in canonical form: nulls dropped, `anonymous` only when true. */
function single(kind: string | undefined, input: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (kind !== undefined) out.kind = kind;
  for (const [name, value] of Object.entries(input)) {
    if (name === 'kind' || value === null) continue;
    switch (name) {
      case 'key':
        if (typeof value !== 'string') fail('key must be a string');
        out.key = value;
        break;
      case 'name':
        if (typeof value !== 'string') fail('name must be a string');
        out.name = value;
        break;
      case 'anonymous':
        if (typeof value !== 'boolean') fail('anonymous must be a boolean');
        if (value) out.anonymous = true;
        break;
      case '_meta': {
        if (!isObject(value)) fail('_meta must be an object');
        const list = privateList(value.privateAttributes, '_meta.privateAttributes');
        if (list) out._meta = { privateAttributes: list };
        break;
      }
      default:
        out[name] = value;
    }
  }
  return out;
}

/** The older user object as the user context it stands for. */
function fromUser(user: JsonObject): JsonObject {
  const out: JsonObject = { kind: 'user' };
  if (typeof user.key !== 'string') fail('user key must be a string');
  out.key = user.key;
  for (const name of ['name', 'firstName', 'lastName', 'email', 'country', 'avatar', 'ip']) {
    const value = user[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') fail(`user ${name} must be a string`);
    out[name] = value;
  }
  if (user.anonymous !== undefined && user.anonymous !== null && typeof user.anonymous !== 'boolean') {
    fail('user anonymous must be a boolean');
  }
  const custom = user.custom;
  if (custom !== undefined && custom !== null) {
    if (!isObject(custom)) fail('user custom must be an object');
    for (const [name, value] of Object.entries(custom)) if (value !== null && !(name in out)) out[name] = value;
  }
  if (user.anonymous === true) out.anonymous = true;
  const list = privateList(user.privateAttributeNames, 'privateAttributeNames');
  if (list) out._meta = { privateAttributes: list };
  return out;
}

/** A multi-kind context from members; a single member is that context itself. */
function combine(members: JsonObject[]): JsonObject {
  if (members.length === 1) return members[0];
  const out: JsonObject = { kind: 'multi' };
  for (const { kind, ...rest } of members) out[kind as string] = rest;
  return out;
}

function parse(input: unknown): JsonObject {
  if (!isObject(input)) fail('a context must be a JSON object');
  if (!('kind' in input)) return fromUser(input);
  const kind = input.kind;
  if (typeof kind !== 'string') fail('kind must be a string');
  if (kind !== 'multi') return single(kind, input);
  const members = Object.entries(input)
    .filter(([name]) => name !== 'kind')
    .map(([name, value]) => {
      if (!isObject(value)) fail(`context of kind "${name}" must be an object`);
      return single(name, value);
    });
  if (members.length === 0) fail('a multi-kind context needs at least one kind');
  return combine(members);
}

/** `contextConvert`: JSON text in, the canonical JSON of the context it describes out. */
export function convertContext(input: string): ContextResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return { error: 'input is not valid JSON' };
  }
  return attempt(() => parse(parsed), parsed);
}

export interface BuildParams {
  kind?: string | null;
  key: string;
  name?: string | null;
  anonymous?: boolean | null;
  private?: string[] | null;
  custom?: Record<string, Json> | null;
}

function buildSingle(p: BuildParams): JsonObject {
  const attributes: JsonObject = { ...(p.custom ?? {}), key: p.key };
  if (p.name !== undefined) attributes.name = p.name;
  if (p.anonymous !== undefined) attributes.anonymous = p.anonymous;
  if (p.private) attributes._meta = { privateAttributes: p.private };
  return single(p.kind ?? 'user', attributes);
}

/** `contextBuild`: a single- or multi-kind context from the harness's builder parameters. */
export function buildContext(params: { single?: BuildParams | null; multi?: BuildParams[] | null }): ContextResult {
  return attempt(() => (params.multi ? combine(params.multi.map(buildSingle)) : buildSingle(params.single as BuildParams)));
}

export interface ComparisonSingle {
  kind: string;
  key: string;
  attributes?: { name: string; value?: Json }[] | null;
  privateAttributes?: { value: string; literal?: boolean | string }[] | null;
}

export interface ComparisonParams {
  single?: ComparisonSingle | null;
  multi?: ComparisonSingle[] | null;
}

/** A private attribute as the path it names, so a literal and its escaped reference compare equal. */
function attributePath(value: string, literal: boolean): string {
  if (literal || !value.startsWith('/')) return JSON.stringify([value]);
  return JSON.stringify(
    value
      .slice(1)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')),
  );
}

/** A canonical string for one kind: equal strings mean equal contexts. */
function canonicalSingle(p: ComparisonSingle): [string, string] {
  const attributes: Record<string, Json> = {};
  for (const { name, value } of p.attributes ?? []) {
    if (value === undefined || value === null || (name === 'anonymous' && value === false)) delete attributes[name];
    else attributes[name] = value;
  }
  const privates = (p.privateAttributes ?? [])
    .map((a) => attributePath(a.value, a.literal === true || a.literal === 'true'))
    .sort();
  return [p.kind, canonicalJson({ key: p.key, attributes, privates: [...new Set(privates)] })];
}

/** JSON with object keys sorted, so property order does not matter. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function canonicalContext(p: ComparisonParams): string {
  const members = (p.multi ?? (p.single ? [p.single] : [])).map(canonicalSingle);
  members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(members);
}

/** `contextComparison`: whether two contexts built from the parameters are equal. */
export function contextsEqual(a: ComparisonParams, b: ComparisonParams): boolean {
  return canonicalContext(a) === canonicalContext(b);
}
