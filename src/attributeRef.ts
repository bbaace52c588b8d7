/**
 * Attribute references: `/a/b` paths into a context with `~1` for `/` and `~0` for `~`, or a
 * plain attribute name. A clause or rollout without a context kind uses the older rule where the
 * whole string is one literal name, so `/a/b` there means the attribute called "/a/b".
 */
export interface AttributeRef {
  /** False for an empty string, `/`, an empty path component or a bad `~` escape. */
  readonly valid: boolean;
  /** The path, one entry per level. */
  readonly components: readonly string[];
  /** The original text, for logs and redaction lists. */
  readonly text: string;
}

const INVALID_COMPONENTS: readonly string[] = [];

function unescapeComponent(part: string): string | undefined {
  if (part.indexOf('~') < 0) return part;
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const ch = part[i];
    if (ch !== '~') {
      out += ch;
      continue;
    }
    const next = part[i + 1];
    if (next === '0') out += '~';
    else if (next === '1') out += '/';
    else return undefined;
    i++;
  }
  return out;
}

/** Parses a reference in the modern syntax. */
export function parseAttributeRef(text: string): AttributeRef {
  if (typeof text !== 'string' || text === '' || text === '/') {
    return { valid: false, components: INVALID_COMPONENTS, text: String(text) };
  }
  if (text[0] !== '/') return { valid: true, components: [text], text };
  const parts = text.slice(1).split('/');
  const components: string[] = [];
  for (const part of parts) {
    const unescaped = part === '' ? undefined : unescapeComponent(part);
    if (unescaped === undefined) return { valid: false, components: INVALID_COMPONENTS, text };
    components.push(unescaped);
  }
  return { valid: true, components, text };
}

/** A reference that is one literal attribute name, as clauses without a context kind use. */
export function literalAttributeRef(name: string): AttributeRef {
  if (typeof name !== 'string' || name === '') {
    return { valid: false, components: INVALID_COMPONENTS, text: String(name) };
  }
  return { valid: true, components: [name], text: name };
}

/** The reference for a clause or rollout: literal when no context kind is given. */
export function refFor(text: string, contextKind: string | undefined): AttributeRef {
  return contextKind === undefined || contextKind === null
    ? literalAttributeRef(text)
    : parseAttributeRef(text);
}
