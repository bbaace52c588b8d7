// The engine's modules form a layered graph: no module imports (even only types from) a module
// that imports it back, directly or through others. A cycle means two modules share one job.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(new URL('../..', import.meta.url).pathname);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's relative imports and re-exports (type-only ones too), as paths under the root. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const targets = [...source.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) =>
      relative(root, resolve(dirname(file), m[1])).replace(/\.js$/, '.ts'),
    );
    graph.set(relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/** One cycle per strongly connected group of modules, as the path that closes it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('import cycles', () => {
  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  // Folders follow the data path: data sets are evaluated, evaluations become events, never back.
  it('evaluation/ imports nothing from data/ or events/, util/ nothing from the rest of src/', () => {
    const graph = importGraph(tsFiles(join(root, 'src')));
    const against = (from: string, to: (target: string) => boolean) =>
      [...graph].filter(([file]) => file.startsWith(from)).flatMap(([file, targets]) => targets.filter(to).map((t) => `${file} -> ${t}`));
    expect(against('src/evaluation/', (t) => t.startsWith('src/data/') || t.startsWith('src/events/'))).toEqual([]);
    expect(against('src/data/', (t) => t.startsWith('src/events/'))).toEqual([]);
    expect(against('src/util/', (t) => !t.startsWith('src/util/'))).toEqual([]);
  });

  for (const folder of ['src', 'runtimes']) {
    it(`${folder}/ has none`, () => {
      const graph = importGraph(tsFiles(join(root, folder)));
      expect(graph.size).toBeGreaterThan(5);
      expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
    });
  }
});
