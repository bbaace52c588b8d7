/**
 * The adapter contract for Cloudflare Workers, inside workerd (through miniflare) without
 * nodejs_compat: each request is a fetch dispatched to the bundled Worker.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { describeAdapterContract } from './adapterContract.js';
import { contractUrl } from './fixtures-contract/handler.js';
import { ROOT } from './fixtures-vercel-deno/bundle.js';

// miniflare's own types for this need @cloudflare/workers-types; this is the part used here.
interface WorkerHandle {
  fetch(url: string): Promise<{ status: number; text(): Promise<string>; json(): Promise<unknown> }>;
}

let mf: Miniflare | undefined;
let dir = '';
let worker: WorkerHandle;

async function logLines(): Promise<string[]> {
  return (await (await worker.fetch('https://worker.test/__log')).json()) as string[];
}

describeAdapterContract('cloudflare', {
  events: 'after-response',
  async start(env) {
    dir = mkdtempSync(join(tmpdir(), 'ldedge-cf-contract-'));
    await build({
      entryPoints: [join(ROOT, 'test/runtimes/fixtures-contract/cloudflare.ts')],
      outfile: join(dir, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    mf = new Miniflare({
      cf: false,
      // workerd reports the handler's deliberate throw; the contract checks it through the fetch.
      log: new Log(LogLevel.NONE),
      handleRuntimeStdio() {},
      modules: true,
      script: readFileSync(join(dir, 'worker.js'), 'utf8'),
      compatibilityDate: '2026-04-01',
      bindings: { CONTRACT_ENV: JSON.stringify(env) },
    });
    await mf.ready;
    worker = (await mf.getWorker()) as unknown as WorkerHandle;
  },
  async stop() {
    await mf?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  async request({ source, ...ask }) {
    const mark = (await logLines()).length;
    try {
      const response = await worker.fetch(contractUrl('https://worker.test', source, { throwInHandler: false, ...ask }));
      if (response.status !== 200) {
        await response.text();
        return { threw: true, warnings: (await logLines()).slice(mark) };
      }
      const body = (await response.json()) as { details: Record<string, never> };
      return { threw: false, details: body.details, warnings: (await logLines()).slice(mark) };
    } catch {
      // miniflare hands the Worker's uncaught error to the caller.
      return { threw: true, warnings: (await logLines()).slice(mark) };
    }
  },
});
