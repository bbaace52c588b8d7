// Reports what each edge adapter adds to a user's bundle: the adapter module as a user imports it
// (every export kept), bundled and minified by esbuild for a neutral ESM platform, gzipped at
// level 9, against the 15 KiB budget, and whether it is free of Node imports.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const LIMIT = 15 * 1024;
const root = new URL('..', import.meta.url).pathname;
let met = 0;
const hosts = ['cloudflare', 'vercel', 'deno'];
for (const host of hosts) {
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
  const bytes = result.outputFiles[0].contents;
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const nodeFree = !/["']node:|\brequire\(/.test(result.outputFiles[0].text);
  const ok = gzipped <= LIMIT && nodeFree;
  if (ok) met++;
  console.log(
    `bundle ldedge/${host}: ${gzipped} B gzip, ${bytes.length} B minified, node-free ${nodeFree} ` +
      `(target <= ${LIMIT} B gzip) ${ok ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`bundle summary: ${met}/${hosts.length} targets met`);
