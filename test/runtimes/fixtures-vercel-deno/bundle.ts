/**
 * Bundles a runtime test's script with esbuild: the examples import `ldedge/<host>` and host
 * packages, which resolve here to the adapters in this repository and to stand-ins.
 */
import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./', import.meta.url));

const resolveHere: Plugin = {
  name: 'ldedge-fixtures',
  setup(b) {
    b.onResolve({ filter: /^(npm:)?ldedge\/(vercel|deno)$/ }, (args) => ({
      path: `${ROOT}runtimes/${args.path.replace(/^npm:/, '').split('/')[1]}/index.ts`,
    }));
    b.onResolve({ filter: /^@vercel\/edge-config$/ }, () => ({ path: `${FIXTURES}edge-config.ts` }));
  },
};

export interface BundleOptions {
  /** The entry module's source; relative imports resolve from the repository root. */
  entry: string;
  format: 'iife' | 'esm';
  define: Record<string, string>;
}

export async function bundle({ entry, format, define }: BundleOptions): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    format,
    platform: format === 'iife' ? 'browser' : 'neutral',
    target: 'es2022',
    define,
    plugins: [resolveHere],
    // package.json says `sideEffects: false`; the fetch redirect is imported for its side effect.
    ignoreAnnotations: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
