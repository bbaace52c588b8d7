// The runtime adapters reach the engine only through its public entry points and the one internal
// module made for them, so the engine's inside can change without breaking a host.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(new URL('../..', import.meta.url).pathname);
const ALLOWED = ['src/index.ts', 'src/lean.ts', 'src/adapterApi.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The relative module specifiers a file imports or re-exports from, static or dynamic. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [/\bfrom\s*['"](\.[^'"]+)['"]/g, /\bimport\s*\(?\s*['"](\.[^'"]+)['"]/g]) {
    for (const match of source.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

/** What in `src/` a file of `runtimes/` imports that is neither a public entry point nor the door. */
function forbiddenImports(file: string): string[] {
  return relativeImports(readFileSync(file, 'utf8'))
    .map((spec) => relative(root, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'))
    .filter((target) => target.startsWith('src/') && !ALLOWED.includes(target));
}

describe('runtimes/ import from src/ only through the entry points and src/adapterApi.ts', () => {
  const files = tsFiles(join(root, 'runtimes'));

  it('finds the adapters', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it('sees an import that goes around the door', () => {
    expect(relativeImports(`import { timedOut } from '../../src/timers.js';\nexport * from "../../src/lean.js";`)).toEqual([
      '../../src/timers.js',
      '../../src/lean.js',
    ]);
  });

  for (const file of files) {
    it(relative(root, file), () => {
      expect(forbiddenImports(file)).toEqual([]);
    });
  }
});
