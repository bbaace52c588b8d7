// What each edge entry point adds to a user's bundle: the adapter module as a user imports it
// (every export kept), bundled and minified by esbuild for a neutral ESM platform, gzipped at
// level 9, and whether it is free of Node imports. Deterministic for a given esbuild version, so
// `npm test` checks the budget and `npm run bench` reports the sizes, both from here.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const EDGE_HOSTS = ['cloudflare', 'vercel', 'deno'];
/** The budget `npm test` enforces. */
export const EDGE_BUNDLE_LIMIT = 15 * 1024;
/** The size `npm run bench` aims at. */
export const EDGE_BUNDLE_TARGET = 12 * 1024;

const root = fileURLToPath(new URL('..', import.meta.url));

/** @param {string} host */
export async function measureEdgeBundle(host) {
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
  const { contents, text } = result.outputFiles[0];
  return {
    host,
    minified: contents.length,
    gzipped: gzipSync(contents, { level: 9 }).length,
    nodeFree: !/["']node:|\brequire\(/.test(text),
  };
}
