// The engine must run on any web-standard runtime: no Node-only modules or globals in src/ or adapters/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Source with comments and string contents removed, so prose cannot trip the check. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (s) =>
      /^['"]node:/.test(s) ? s : '""',
    );
}

// sync/ runs in Workers and Deno too (a Cron Trigger, Deno.cron), and the adapters (ldedge/otel,
// /openfeature, /vercel-flags) at the edge: they keep the same rule.
describe('src/, sync/ and adapters/ are web-standard only', () => {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'sync')), ...sourceFiles(join(root, 'adapters'))];

  it('finds the engine sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const forbidden of [/['"]node:/, /\bBuffer\b/, /\bprocess\b/, /\brequire\(/, /\bEventEmitter\b/]) {
    it(`no ${forbidden.source}`, () => {
      const offenders = files.filter((f) => forbidden.test(code(readFileSync(f, 'utf8'))));
      expect(offenders).toEqual([]);
    });
  }
});
