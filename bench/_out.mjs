import { build } from 'esbuild';
const r = await build({ entryPoints: [`runtimes/cloudflare/index.ts`], bundle: true, minify: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false, logLevel: 'silent' });
process.stdout.write(r.outputFiles[0].text);
