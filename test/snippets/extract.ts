/**
 * Finds the ```ts snippets of README.md and docs/*.md, with the marker an HTML comment right above
 * a fence may give it (invisible when the Markdown is rendered):
 *
 *   <!-- snippet: fragment [lines] -->  partial: type-checked after the hidden lines, never run
 *   <!-- snippet: setup lines -->       type-checked and run after the hidden lines
 *   <!-- snippet: no-run: why -->       complete, type-checked, not run (it needs a service the tests do not start)
 *
 * Unmarked snippets are complete programs: type-checked and run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Host = 'node' | 'lambda' | 'cloudflare' | 'vercel' | 'deno';
export type Mark = 'run' | 'fragment' | 'no-run';

export interface Snippet {
  /** `README.md` or `docs/x.md`, and the 1-based line of its opening fence. */
  readonly file: string;
  readonly line: number;
  /** A file name unique among the snippets, without extension. */
  readonly name: string;
  readonly mark: Mark;
  /** Hidden lines from the marker, put before the snippet. */
  readonly prelude: string;
  readonly code: string;
  readonly host: Host;
  /** Why a no-run snippet is not run. */
  readonly reason?: string;
}

/** The host a snippet is written for, from the ldedge entry point it imports. */
export function hostOf(text: string): Host {
  if (/['"]npm:ldedge\/deno['"]/.test(text)) return 'deno';
  if (/['"]ldedge\/cloudflare['"]/.test(text)) return 'cloudflare';
  if (/['"]ldedge\/vercel['"]/.test(text)) return 'vercel';
  if (/['"]ldedge\/lambda['"]/.test(text)) return 'lambda';
  return 'node';
}

function parseMarker(comment: string, where: string): { mark: Mark; prelude: string; reason?: string } {
  const m = /^<!-- snippet: (fragment|setup|no-run)(:?)([\s\S]*)-->$/.exec(comment.trim());
  if (!m) throw new Error(`${where}: a snippet marker must be <!-- snippet: fragment|setup|no-run … -->, not ${comment}`);
  const [, kind, colon, rest] = m;
  if (kind === 'no-run') {
    const reason = rest.trim();
    if (colon !== ':' || reason === '') throw new Error(`${where}: <!-- snippet: no-run: … --> must say why`);
    return { mark: 'no-run', prelude: '', reason };
  }
  if (kind === 'setup' && rest.trim() === '') throw new Error(`${where}: <!-- snippet: setup … --> needs its hidden lines`);
  return { mark: kind === 'setup' ? 'run' : 'fragment', prelude: rest.trim() };
}

export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  const base = file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    let marker: ReturnType<typeof parseMarker> = { mark: 'run', prelude: '' };
    if (start > 0 && lines[start - 1].trim().endsWith('-->')) {
      let j = start - 1;
      while (j >= 0 && !lines[j].includes('<!--')) j--;
      const comment = lines.slice(j, start).join('\n');
      if (comment.includes('<!-- snippet:')) marker = parseMarker(comment, `${file}:${start + 1}`);
    }
    const code = body.join('\n');
    snippets.push({
      file,
      line: start + 1,
      name: `${base}-${start + 1}`,
      ...marker,
      code,
      host: hostOf(`${marker.prelude}\n${code}`),
    });
  }
  return snippets;
}

/** Every snippet of README.md and docs/*.md under `root`. */
export function allSnippets(root: string): Snippet[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return files.flatMap((file) => extractSnippets(file, readFileSync(join(root, file), 'utf8')));
}
