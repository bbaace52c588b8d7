// Every ```ts snippet of README.md and docs/*.md, as a user would paste it into a fresh application
// of its host, with the packed package installed: type-checked with `tsc --strict` (Deno's with
// `deno check`), and the runnable ones run: Node programs under node, Lambda handlers invoked as the
// Lambda runtime does, Workers in workerd, the Deno server under deno; LaunchDarkly is a loopback one.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { allSnippets, extractSnippets, type Host, type Snippet } from './extract.js';
import { makeApp, packPackage, ROOT } from './packedApp.js';
import { runProgram } from './run.js';

const SDK_KEY = 'sdk-snippets-test';
const CLIENT_SIDE_ID = 'snippet-env';
const PAYLOAD = readFileSync(join(ROOT, 'examples/flags.json'), 'utf8');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const DENO = join(ROOT, 'node_modules/.bin/deno');

const snippets = allSnippets(ROOT);
const work = mkdtempSync(join(tmpdir(), 'ldedge-snippets-'));
let tarball: string;
let mock: MockLaunchDarkly;

/** Packages each host's application has beside ldedge: its types and the optional peers its snippets use. */
const EXTRA: Record<Host, string[]> = {
  node: ['@types', '@opentelemetry', '@openfeature', 'redis', '@redis'],
  lambda: ['@types', 'redis', '@redis'],
  cloudflare: [],
  vercel: ['@types', '@vercel', 'flags'],
  deno: [],
};

beforeAll(async () => {
  tarball = packPackage(work);
  mock = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
  mock.polling.setData(JSON.parse(PAYLOAD));
  mock.streams.setData(JSON.parse(PAYLOAD));
}, 120_000);

afterAll(async () => {
  await mock?.close();
  rmSync(work, { recursive: true, force: true });
});

const apps = new Map<Host, string>();
/** The host's application, made on first use. */
function app(host: Host): string {
  let dir = apps.get(host);
  if (dir === undefined) {
    dir = makeApp(join(work, host), tarball, EXTRA[host]);
    apps.set(host, dir);
  }
  return dir;
}

/** The file a snippet becomes: its hidden lines, then the snippet; `export {}` makes any of them a module. */
function source(snippet: Snippet): string {
  return `${snippet.prelude}\n${snippet.code}\nexport {};\n`;
}

const diagnostics = new Map<Host, string>();
/** The host's snippets type-checked, once, and compiled to out/; tsc's diagnostics (none means they type-check). */
function compiled(host: Host): string {
  let found = diagnostics.get(host);
  if (found === undefined) {
    found = host === 'deno' ? denoCheck(byHost(host)) : typeCheck(host, byHost(host));
    diagnostics.set(host, found);
  }
  return found;
}

function typeCheck(host: Host, list: Snippet[]): string {
  const dir = app(host);
  mkdirSync(join(dir, 'snippets'), { recursive: true });
  for (const snippet of list) writeFileSync(join(dir, 'snippets', `${snippet.name}.ts`), source(snippet));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2022', 'dom', 'dom.iterable'],
        types: EXTRA[host].includes('@types') ? ['node'] : [],
        strict: true,
        skipLibCheck: true,
        rootDir: 'snippets',
        outDir: 'out',
      },
      include: ['snippets'],
    }),
  );
  const result = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.trim();
}

/** `deno check` of the Deno snippets, resolving `npm:ldedge/deno` from the application's node_modules. */
function denoCheck(list: Snippet[]): string {
  const dir = app('deno');
  mkdirSync(join(dir, 'snippets'), { recursive: true });
  const files = list.map((snippet) => {
    const file = join('snippets', `${snippet.name}.ts`);
    writeFileSync(join(dir, file), source(snippet));
    return file;
  });
  const result = spawnSync(DENO, ['check', '--quiet', '--unstable-kv', ...files], { cwd: dir, encoding: 'utf8', env: denoEnv(dir) });
  return `${result.stdout}${result.stderr}`.trim();
}

function denoEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
}

/** The environment a snippet's program gets: an SDK key, a client-side ID, and LaunchDarkly on loopback. */
function programEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LD_SDK_KEY: SDK_KEY,
    LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
    LD_TEST_ORIGIN: mock.baseUri,
  };
}

/** Lines the SDK logged at warn or error level. */
function complaints(output: string): string[] {
  return output.split('\n').filter((line) => /\[ldedge\] (warn|error):/.test(line));
}

const byHost = (host: Host) => snippets.filter((s) => s.host === host);

describe('the snippets', () => {
  it('are found, each host has some, and few are exceptions', () => {
    expect(snippets.length).toBeGreaterThan(20);
    for (const host of ['node', 'lambda', 'cloudflare', 'vercel', 'deno'] as const) expect(byHost(host).length, host).toBeGreaterThan(0);
    expect(snippets.filter((s) => s.mark === 'fragment').length).toBeLessThanOrEqual(5);
    expect(snippets.filter((s) => s.mark === 'no-run').length).toBeLessThanOrEqual(7);
  });

  it('are read with their markers', () => {
    const text = [
      'x',
      '<!-- snippet: setup',
      "const sdkKey = 'k';",
      '-->',
      '```ts',
      "import { init } from 'ldedge/lambda';",
      '```',
      '<!-- snippet: no-run: needs a Redis server -->',
      '```ts',
      "import { init } from 'npm:ldedge/deno';",
      '```',
    ].join('\n');
    const [setup, noRun] = extractSnippets('docs/x.md', text);
    expect(setup).toMatchObject({ line: 5, mark: 'run', prelude: "const sdkKey = 'k';", host: 'lambda', name: 'docs-x-5' });
    expect(noRun).toMatchObject({ mark: 'no-run', reason: 'needs a Redis server', host: 'deno' });
    expect(() => extractSnippets('x.md', '<!-- snippet: no-run -->\n```ts\n```')).toThrow(/must say why/);
  });

  for (const host of ['node', 'lambda', 'cloudflare', 'vercel'] as const) {
    it(`for ${host} type-check with tsc --strict against the installed package`, () => {
      expect(compiled(host)).toBe('');
    }, 120_000);
  }

  it('for Deno type-check with deno check against the installed package', () => {
    expect(compiled('deno')).toBe('');
  }, 120_000);

  it('for Node run to completion (or stop on SIGTERM) without a warning or error', async () => {
    compiled('node');
    const runnable = byHost('node').filter((s) => s.mark === 'run');
    expect(runnable.length).toBeGreaterThanOrEqual(4);
    for (const snippet of runnable) {
      const ran = await runProgram(process.execPath, ['--import', join(ROOT, 'test/snippets/redirect.mjs'), join('out', `${snippet.name}.js`)], {
        cwd: app('node'),
        env: programEnv(),
        settleMs: 8000,
      });
      const where = `${snippet.file}:${snippet.line}\n${ran.stdout}${ran.stderr}`;
      expect(ran.code, where).toBe(0);
      expect(complaints(ran.stdout + ran.stderr), where).toEqual([]);
    }
  }, 120_000);

  it('for Lambda answer an invocation with the flag the loopback LaunchDarkly serves', async () => {
    compiled('lambda');
    const runnable = byHost('lambda').filter((s) => s.mark === 'run');
    expect(runnable.length).toBeGreaterThanOrEqual(2);
    for (const snippet of runnable) {
      const ran = await runProgram(
        process.execPath,
        ['--import', join(ROOT, 'test/snippets/redirect.mjs'), join(ROOT, 'test/snippets/invokeLambda.mjs'), join(app('lambda'), 'out', `${snippet.name}.js`), '{"userId":"alice"}'],
        { cwd: app('lambda'), env: programEnv(), settleMs: 10_000 },
      );
      const where = `${snippet.file}:${snippet.line}\n${ran.stdout}${ran.stderr}`;
      expect(ran.code, where).toBe(0);
      // alice is targeted with `true`.
      expect(JSON.parse(ran.stdout.trim().split('\n').pop()!), where).toEqual({ statusCode: 200, body: JSON.stringify({ enabled: true }) });
      expect(complaints(ran.stdout + ran.stderr), where).toEqual([]);
    }
    // A function deployed without LD_SDK_KEY: the module loads, one error, the default value.
    const [readme] = runnable;
    const { LD_SDK_KEY: _unset, ...withoutKey } = programEnv();
    const ran = await runProgram(
      process.execPath,
      ['--import', join(ROOT, 'test/snippets/redirect.mjs'), join(ROOT, 'test/snippets/invokeLambda.mjs'), join(app('lambda'), 'out', `${readme.name}.js`), '{"userId":"alice"}'],
      { cwd: app('lambda'), env: withoutKey, settleMs: 10_000 },
    );
    const where = `${readme.file}:${readme.line} without LD_SDK_KEY\n${ran.stdout}${ran.stderr}`;
    expect(ran.code, where).toBe(0);
    expect(JSON.parse(ran.stdout.trim().split('\n').pop()!), where).toEqual({ statusCode: 200, body: JSON.stringify({ enabled: false }) });
    expect(complaints(ran.stdout + ran.stderr), where).toEqual([expect.stringMatching(/^\[ldedge\] error: option "sdkKey" is empty/)]);
  }, 120_000);

  it('for Cloudflare serve requests in workerd from the KV entry', async () => {
    compiled('cloudflare');
    const runnable = byHost('cloudflare').filter((s) => s.mark === 'run');
    expect(runnable.length).toBeGreaterThanOrEqual(2);
    for (const snippet of runnable) {
      const bundled = await build({
        entryPoints: [join(app('cloudflare'), 'out', `${snippet.name}.js`)],
        absWorkingDir: app('cloudflare'),
        bundle: true,
        format: 'esm',
        platform: 'browser',
        conditions: ['workerd', 'worker'],
        write: false,
        logLevel: 'silent',
      });
      const mf = new Miniflare({
        modules: true,
        script: bundled.outputFiles[0].text,
        compatibilityDate: '2025-01-01',
        kvNamespaces: ['LD_KV'],
        bindings: { LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID },
        cf: false,
      });
      try {
        const kv = (await mf.getKVNamespace('LD_KV')) as unknown as { put(key: string, value: string): Promise<void> };
        await kv.put(`LD-Env-${CLIENT_SIDE_ID}`, PAYLOAD);
        const alice = await mf.dispatchFetch('http://worker/', { headers: { 'x-user-key': 'alice' } });
        expect(await alice.text(), snippet.name).toBe('new checkout');
        const anonymous = await mf.dispatchFetch('http://worker/');
        expect(['new checkout', 'old checkout']).toContain(await anonymous.text());
      } finally {
        await mf.dispose();
      }
    }
  }, 120_000);

  it('for Vercel answer in edge-runtime from Edge Config, and send their events', async () => {
    compiled('vercel');
    const runnable = byHost('vercel').filter((s) => s.mark === 'run');
    expect(runnable.length).toBeGreaterThanOrEqual(2);
    // Edge Config's read API on loopback: GET /<id>/item/<key> with the connection string's token.
    const reads: string[] = [];
    const edgeConfig = createServer((req, res) => {
      reads.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      if (req.url?.startsWith(`/ecfg_snippets/item/LD-Env-${CLIENT_SIDE_ID}?`) && req.headers.authorization === 'Bearer t0ken') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(PAYLOAD);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => edgeConfig.listen(0, '127.0.0.1', resolve));
    const dir = app('vercel');
    // Imported before the snippet, so that its client's requests to LaunchDarkly reach the loopback one.
    writeFileSync(
      join(dir, 'redirect.js'),
      `const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return realFetch(url.replace(/^https:\\/\\/(sdk|events)\\.launchdarkly\\.com/, ${JSON.stringify(mock.baseUri)}), init);
};
`,
    );
    try {
      for (const snippet of runnable) {
        const bundled = await build({
          stdin: {
            contents: [
              "import './redirect.js';",
              `import handler from './out/${snippet.name}.js';`,
              "addEventListener('fetch', (e) => e.respondWith(handler(e.request, { waitUntil: (p) => e.waitUntil(p) })));",
            ].join('\n'),
            resolveDir: dir,
            loader: 'js',
          },
          bundle: true,
          format: 'iife',
          platform: 'browser',
          conditions: ['edge-light', 'worker', 'browser'],
          write: false,
          logLevel: 'silent',
        });
        const env = {
          LD_SDK_KEY: SDK_KEY,
          LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
          EDGE_CONFIG: `http://127.0.0.1:${(edgeConfig.address() as AddressInfo).port}/ecfg_snippets?token=t0ken`,
        };
        const runtime = new EdgeRuntime({ extend: (context) => Object.assign(context, { process: { env } }) });
        runtime.evaluate(bundled.outputFiles[0].text);
        const before = mock.events.payloads.length;
        const response = await runtime.dispatchFetch('https://app.example/api/flags?user=alice');
        expect(await response.json(), snippet.name).toEqual({ newCheckout: true });
        await response.waitUntil();
        expect(mock.events.payloads.slice(before).map((p) => p.headers.authorization)).toContain(SDK_KEY);
      }
      // (The client also asks for all items first, which this stand-in does not serve.)
      expect(reads.filter((r) => r.includes('/item/'))).toEqual(runnable.map(() => `GET /ecfg_snippets/item/LD-Env-${CLIENT_SIDE_ID}?version=1 Bearer t0ken`));
    } finally {
      await new Promise((resolve) => edgeConfig.close(resolve));
    }
  }, 120_000);

  it('for Deno serve as documented: deno run --allow-net --allow-env --unstable-kv', async () => {
    compiled('deno');
    const runnable = byHost('deno').filter((s) => s.mark === 'run');
    expect(runnable.length).toBeGreaterThanOrEqual(2);
    const documented = readFileSync(join(ROOT, 'docs/deno.md'), 'utf8');
    expect(documented).toContain('deno run --allow-net --allow-env --unstable-kv main.ts');
    // The pinned Deno still needs the flag: without it the first line (Deno.openKv) throws.
    const withoutFlag = spawnSync(DENO, ['run', '--allow-net', '--allow-env', join('snippets', `${runnable[0].name}.ts`)], {
      cwd: app('deno'),
      encoding: 'utf8',
      env: denoEnv(app('deno')),
      timeout: 30_000,
    });
    expect(withoutFlag.status).not.toBe(0);
    expect(withoutFlag.stderr).toMatch(/openKv is not a function/);
    for (const snippet of runnable) {
      const dir = app('deno');
      const { spawn } = await import('node:child_process');
      const child = spawn(
        DENO,
        ['run', '--allow-net', '--allow-env', '--unstable-kv', '--preload', join(ROOT, 'test/snippets/denoPreload.mjs'), join('snippets', `${snippet.name}.ts`)],
        { cwd: dir, env: { ...denoEnv(dir), ...programEnv(), LD_TEST_PAYLOAD: PAYLOAD } },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
      child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
      try {
        await waitFor(() => /listening on \d+/.test(output) || child.exitCode !== null, 'deno to listen', { timeoutMs: 30_000 });
        const port = /listening on (\d+)/.exec(output)?.[1];
        expect(port, output).toBeDefined();
        const response = await fetch(`http://127.0.0.1:${port}/?user=alice`);
        expect(await response.json(), output).toEqual({ newCheckout: true });
        expect(complaints(output), output).toEqual([]);
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited.catch(() => {});
      }
    }
  }, 120_000);
});

describe('the installed package', () => {
  it('is ESM only: require() fails with ERR_PACKAGE_PATH_NOT_EXPORTED, import() works from CommonJS', () => {
    const dir = app('node');
    writeFileSync(
      join(dir, 'require.cjs'),
      `const codes = [];
for (const name of ['ldedge', 'ldedge/node', 'ldedge/lambda']) {
  try { require(name); codes.push('loaded'); } catch (err) { codes.push(err.code); }
}
import('ldedge').then((m) => console.log(JSON.stringify({ codes, init: typeof m.init })));
`,
    );
    expect(JSON.parse(execFileSync('node', ['require.cjs'], { cwd: dir }).toString())).toEqual({
      codes: ['ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_PACKAGE_PATH_NOT_EXPORTED'],
      init: 'function',
    });
  }, 120_000);

  it('gives Node the entry that reads the proxy variables, and the edge hosts the web one', () => {
    const dir = app('node');
    const resolved = (conditions: string[]) =>
      execFileSync('node', [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', "console.log(import.meta.resolve('ldedge'))"], { cwd: dir })
        .toString()
        .trim()
        .replace(/^.*\/node_modules\/ldedge\//, '');
    expect(resolved([])).toBe('dist/runtimes/node/core.js');
    for (const edge of ['workerd', 'worker', 'edge-light', 'deno', 'browser']) expect(resolved([edge]), edge).toBe('dist/src/index.js');
  });

  it('types resolve under moduleResolution node16, nodenext and bundler, and not the subpaths under node10', () => {
    const dir = join(work, 'resolution');
    makeApp(dir, tarball);
    writeFileSync(
      join(dir, 'main.ts'),
      "import { init } from 'ldedge';\nimport { withLaunchDarkly } from 'ldedge/cloudflare';\nexport const both: [typeof init, typeof withLaunchDarkly] = [init, withLaunchDarkly];\n",
    );
    const check = (module: string, resolution: string) =>
      spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--lib', 'es2022,dom', '--module', module, '--moduleResolution', resolution, 'main.ts'], {
        cwd: dir,
        encoding: 'utf8',
      }).stdout.trim();
    expect(check('node16', 'node16')).toBe('');
    expect(check('nodenext', 'nodenext')).toBe('');
    expect(check('esnext', 'bundler')).toBe('');
    const node10 = check('esnext', 'node10');
    expect(node10).toContain("Cannot find module 'ldedge/cloudflare'");
    expect(node10).not.toContain("Cannot find module 'ldedge'");
  }, 120_000);
});
