/**
 * JSON for an inline `<script>`: flag values are data from LaunchDarkly, and `</script>` or `<!--`
 * in one would end or change the script. Escaping `<`, `>`, `&` and U+2028/U+2029 as `\uXXXX`
 * keeps the JSON equal while no HTML or old-JavaScript line break can appear in it.
 */
export function scriptSafeJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
