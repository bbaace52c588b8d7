/**
 * Attribute references: `/a/b` paths into a context with `~1` for `/` and `~0` for `~`, or a
 * plain attribute name. A clause or rollout without a context kind uses the older rule where the
 * whole string is one literal name, so `/a/b` there means the attribute called "/a/b".
 */
export interface AttributeRef {
  /** False for an empty string, `/`, an empty path component or a bad `~` escape. */
  readonly valid: boolean;
  /** The path, one entry per level; empty when invalid. */
  readonly components: readonly string[];
  /** The original text, for logs and redaction lists. */
  readonly text: string;
}

/** Parses a reference in the modern syntax. */
export function parseAttributeRef(text: string): AttributeRef {
  if (typeof text !== 'string' || text[0] !== '/') return literalAttributeRef(text);
  const components = text.slice(1).split('/');
  if (components.includes('') || /~(?![01])/.test(text)) {
    return { valid: false, components: [], text };
  }
  // `~1` first, so that `~01` becomes `~1` rather than `/`.
  const unescaped = components.map((c) => c.replace(/~1/g, '/').replace(/~0/g, '~'));
  return { valid: true, components: unescaped, text };
}

/** A reference that is one literal attribute name, as clauses without a context kind use. */
export function literalAttributeRef(name: string): AttributeRef {
  return typeof name === 'string' && name !== ''
    ? { valid: true, components: [name], text: name }
    : { valid: false, components: [], text: String(name) };
}

/** The reference for a clause or rollout: literal when no context kind is given. */
export function refFor(text: string, contextKind: string | undefined): AttributeRef {
  return contextKind === undefined ? literalAttributeRef(text) : parseAttributeRef(text);
}
