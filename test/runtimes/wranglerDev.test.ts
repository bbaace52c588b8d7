// The local-development steps of docs/cloudflare.md, with the pinned wrangler: a `.dev.vars` file,
// the local KV namespace seeded with `wrangler kv key put --local`, then `wrangler dev` serving the
// example Worker from it, its events sent with the SDK key from `.dev.vars`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const DEV_KEY = 'sdk-from-dev-vars';

let dir: string;
let mock: MockLaunchDarkly;
let dev: ChildProcess | undefined;
let output = '';

/** A loopback port free a moment ago: wrangler dev takes a port number, not 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' };
}

beforeAll(async () => {
  mock = await startMockLaunchDarkly({ sdkKey: DEV_KEY });
  dir = mkdtempSync(join(tmpdir(), 'ldedge-wrangler-dev-'));
  // The repository's wrangler.toml, with the Worker's path made absolute so it works from here.
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').replace(/^main = "([^"]+)"/m, (_m, main: string) => `main = "${join(ROOT, main)}"`);
  writeFileSync(join(dir, 'wrangler.toml'), toml);
  writeFileSync(join(dir, '.dev.vars'), `LD_SDK_KEY=${DEV_KEY}\nLD_EVENTS_URI=${mock.baseUri}\n`);
}, 30_000);

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev!.once('exit', resolve));
    process.kill(-dev.pid, 'SIGKILL'); // the group this test started: wrangler and its workerd
    await exited;
  }
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('wrangler dev, as docs/cloudflare.md describes it', () => {
  it('serves the flags seeded into local KV and sends events with the key from .dev.vars', async () => {
    const docs = readFileSync(join(ROOT, 'docs/cloudflare.md'), 'utf8');
    const seed = 'npx wrangler kv key put --binding=LD_KV --local --persist-to .wrangler/state \\\n     LD-Env-example-client-side-id --path examples/flags.json';
    expect(docs).toContain(seed);
    expect(docs).toContain('npx wrangler dev --persist-to .wrangler/state');

    const state = join(dir, '.wrangler/state');
    execFileSync(
      process.execPath,
      [WRANGLER, 'kv', 'key', 'put', '--binding=LD_KV', '--local', '--persist-to', state, 'LD-Env-example-client-side-id', '--path', join(ROOT, 'examples/flags.json')],
      { cwd: dir, env: env(), stdio: 'pipe' },
    );

    const port = await freePort();
    dev = spawn(process.execPath, [WRANGLER, 'dev', '--persist-to', state, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', '0'], {
      cwd: dir,
      env: env(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
    dev.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
    await waitFor(() => /Ready on http/.test(output) || dev!.exitCode !== null, 'wrangler dev to be ready', { timeoutMs: 60_000 });
    expect(output).toMatch(/Ready on http/);

    const response = await fetch(`http://127.0.0.1:${port}/?key=alice`);
    const body = (await response.json()) as { flags: Record<string, { value: unknown; reason: { kind: string } }>; dataStatus: { source: string } };
    expect(body.dataStatus.source).toBe('kv');
    // alice is targeted in examples/flags.json.
    expect(body.flags['new-checkout']).toMatchObject({ value: true, reason: { kind: 'TARGET_MATCH' } });

    await waitFor(() => mock.events.payloads.some((p) => p.path === '/bulk'), 'the events', { timeoutMs: 15_000 });
    expect(mock.events.payloads.filter((p) => p.path === '/bulk').map((p) => p.headers.authorization)).toContain(DEV_KEY);
  }, 120_000);
});
