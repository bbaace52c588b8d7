// What each edge entry point adds to a user's bundle: the adapter as a user imports it (every
// export kept), bundled and minified by esbuild for a neutral ESM platform and gzipped at level 9.
// Deterministic for a given esbuild version, so a size budget can be checked here rather than in
// a benchmark.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const LIMIT = 15 * 1024;
const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundle(host: string): Promise<string> {
  const result = await build({
    entryPoints: [`${root}runtimes/${host}/index.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

describe('edge bundle size', () => {
  for (const host of ['cloudflare', 'vercel', 'deno']) {
    it(`ldedge/${host} is at most 15 KiB gzipped and imports nothing from Node`, async () => {
      const code = await bundle(host);
      expect(code).not.toMatch(/["']node:|\brequire\(/);
      const gzipped = gzipSync(code, { level: 9 }).length;
      expect(gzipped, `ldedge/${host}: ${gzipped} B gzip`).toBeLessThanOrEqual(LIMIT);
    });
  }
});
