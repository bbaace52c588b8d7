// The package as users install it: built, packed with `npm pack`, unpacked into node_modules and
// imported by name from a plain ESM program.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'ldedge-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('installs from the tarball and evaluates through the exports map', () => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = join(work, 'app');
    const pkgDir = join(app, 'node_modules', 'ldedge');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, tarball as string), '-C', pkgDir, '--strip-components=1']);
    // The package's own runtime dependencies, as npm would have installed them beside it.
    const deps = Object.keys(
      (JSON.parse(execFileSync('npm', ['pkg', 'get', 'dependencies'], { cwd: root }).toString()) ?? {}) as object,
    );
    for (const dep of deps) {
      symlinkSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
    }
    const files = execFileSync('tar', ['-tzf', join(work, tarball as string)]).toString();
    expect(files).toContain('package/dist/src/index.d.ts');
    expect(files).not.toContain('package/test/');

    writeFileSync(
      join(app, 'main.mjs'),
      `import { init } from 'ldedge';
const payload = JSON.stringify({ flags: { f: { key: 'f', version: 1, on: true, fallthrough: { variation: 1 },
  variations: ['off', 'on'], salt: 's' } }, segments: {} });
const client = init('sdk-key', { payload });
await client.waitForInitialization();
console.log(JSON.stringify(client.variationDetail('f', { kind: 'user', key: 'u' }, 'default')));
`,
    );
    const out = execFileSync('node', ['main.mjs'], { cwd: app }).toString().trim();
    expect(JSON.parse(out)).toEqual({ value: 'on', variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });

    // Every host's entry point resolves through the exports map, with its types beside it.
    writeFileSync(
      join(app, 'hosts.mjs'),
      `const names = {};
for (const host of ['cloudflare', 'vercel', 'lambda', 'deno', 'node']) {
  const m = await import('ldedge/' + host);
  names[host] = ['init', 'withLaunchDarkly'].filter((n) => typeof m[n] === 'function');
}
console.log(JSON.stringify(names));
`,
    );
    const hosts = JSON.parse(execFileSync('node', ['hosts.mjs'], { cwd: app }).toString().trim());
    expect(hosts).toEqual({
      cloudflare: ['init', 'withLaunchDarkly'],
      vercel: ['init', 'withLaunchDarkly'],
      lambda: ['init', 'withLaunchDarkly'],
      deno: ['init', 'withLaunchDarkly'],
      node: ['init'],
    });
    for (const host of ['cloudflare', 'vercel', 'lambda', 'deno', 'node']) {
      expect(files).toContain(`package/dist/runtimes/${host}/index.d.ts`);
    }

    // Each store is a subpath of its own, with its factory; ldedge/redis loads the optional
    // `redis` package, which an application installs beside it.
    symlinkSync(join(root, 'node_modules', 'redis'), join(app, 'node_modules', 'redis'), 'dir');
    symlinkSync(join(root, 'node_modules', '@redis'), join(app, 'node_modules', '@redis'), 'dir');
    writeFileSync(
      join(app, 'stores.mjs'),
      `const { redisStore } = await import('ldedge/redis');
const { dynamoDbStore } = await import('ldedge/dynamodb');
const { consulStore } = await import('ldedge/consul');
const stores = [
  redisStore({ url: 'redis://127.0.0.1:1', prefix: 'p' }),
  dynamoDbStore({ table: 't', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  consulStore({ url: 'http://127.0.0.1:1' }),
];
console.log(JSON.stringify(stores.map((s) => ['getAll', 'get', 'isInitialized', 'init', 'upsert', 'close'].every((m) => typeof s[m] === 'function'))));
`,
    );
    expect(JSON.parse(execFileSync('node', ['stores.mjs'], { cwd: app }).toString().trim())).toEqual([true, true, true]);
    for (const store of ['redis', 'dynamodb', 'consul']) {
      expect(files).toContain(`package/dist/stores/${store}/index.d.ts`);
    }

    // ldedge/sync is a subpath of its own, and `ldedge` is the package's command.
    writeFileSync(
      join(app, 'sync.mjs'),
      `const sync = await import('ldedge/sync');
console.log(JSON.stringify(['syncOnce', 'createSync', 'startRelay', 'syncHandler', 'cloudflareKv', 'cloudflareKvApi', 'vercelEdgeConfig', 'denoKv', 'persistentStore'].filter((n) => typeof sync[n] === 'function')));
`,
    );
    expect(JSON.parse(execFileSync('node', ['sync.mjs'], { cwd: app }).toString().trim())).toHaveLength(9);
    expect(files).toContain('package/dist/sync/index.d.ts');
    const bin = (JSON.parse(execFileSync('npm', ['pkg', 'get', 'bin'], { cwd: root }).toString()) as Record<string, string>).ldedge;
    const usage = execFileSync('node', [join(pkgDir, bin), 'sync', '--help'], { cwd: app }).toString();
    expect(usage).toMatch(/^Usage: ldedge sync --to <target>/);
    // The adapters over standard interfaces, with the optional peers they load (ldedge/vercel-flags
    // uses only the types of `flags`).
    for (const peer of ['@opentelemetry', '@openfeature']) {
      symlinkSync(join(root, 'node_modules', peer), join(app, 'node_modules', peer), 'dir');
    }
    writeFileSync(
      join(app, 'adapters.mjs'),
      `const { TracingHook } = await import('ldedge/otel');
const { LaunchDarklyProvider, createProvider } = await import('ldedge/openfeature');
const { createLaunchDarklyAdapter } = await import('ldedge/vercel-flags');
const { init } = await import('ldedge');
const client = init('k', { offline: true });
const provider = new LaunchDarklyProvider(client);
const adapter = createLaunchDarklyAdapter({ client }).variation();
console.log(JSON.stringify([typeof new TracingHook().afterEvaluation, typeof createProvider, provider.metadata.name, typeof adapter.decide]));
`,
    );
    expect(JSON.parse(execFileSync('node', ['adapters.mjs'], { cwd: app }).toString().trim())).toEqual(['function', 'function', 'ldedge', 'function']);
    for (const adapter of ['otel', 'openfeature', 'vercel-flags']) {
      expect(files).toContain(`package/dist/adapters/${adapter}/index.d.ts`);
    }
  }, 120_000);
});
