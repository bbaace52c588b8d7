/**
 * The adapter contract for Deno, under the real `deno` binary: each request is an HTTP request
 * to the bundled script's Deno.serve on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/mockLaunchDarkly.js';
import { describeAdapterContract } from './adapterContract.js';
import { contractUrl } from './fixtures-contract/handler.js';
import { bundle, ROOT } from './fixtures-vercel-deno/bundle.js';

let deno: ChildProcess | undefined;
let dir = '';
let base = '';
let output = '';

async function logLines(): Promise<string[]> {
  return (await (await fetch(`${base}/__log`)).json()) as string[];
}

describeAdapterContract('deno', {
  events: 'after-response',
  async start(env) {
    const script = await bundle({
      entry: "import './test/runtimes/fixtures-contract/deno.ts';",
      format: 'esm',
      define: { CONTRACT_ENV: JSON.stringify(env) },
    });
    // Outside the repository, so Deno finds no package.json or node_modules to resolve against.
    dir = mkdtempSync(join(tmpdir(), 'ldedge-deno-contract-'));
    const file = join(dir, 'server.mjs');
    writeFileSync(file, script);
    const child = spawn(join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-config', '--no-prompt', '--allow-net=127.0.0.1', file], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    deno = child;
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => /listening on \d+/.test(output) || child.exitCode !== null, 'deno to listen', { timeoutMs: 15000 });
    const port = /listening on (\d+)/.exec(output)?.[1];
    if (port === undefined) throw new Error(`deno did not start:\n${output}`);
    base = `http://127.0.0.1:${port}`;
  },
  async stop() {
    if (deno !== undefined && deno.exitCode === null) {
      const exited = new Promise((resolve) => deno!.once('exit', resolve));
      deno.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  async request({ source, ...ask }) {
    const mark = (await logLines()).length;
    const response = await fetch(contractUrl(base, source, { throwInHandler: false, ...ask }));
    if (response.status !== 200) {
      await response.text();
      return { threw: true, warnings: (await logLines()).slice(mark) };
    }
    const body = (await response.json()) as { details: Record<string, never> };
    return { threw: false, details: body.details, warnings: (await logLines()).slice(mark) };
  },
});
