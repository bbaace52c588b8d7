// ldedge/secure-mode: the synchronous secure-mode hash, against the clients' own and node:crypto,
// and inside workerd, where the clients can give it only as a promise.
import { createHmac } from 'node:crypto';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { init } from '../src/lean.js';
import type { LDContext } from '../src/lean.js';
import { secureModeHashSync } from '../src/secureMode.js';

const CONTEXTS: LDContext[] = [
  { key: 'legacy-user' },
  { kind: 'user', key: 'u-1', name: 'Ann' },
  { kind: 'org', key: 'o:1' },
  { kind: 'multi', user: { key: 'u%1' }, org: { key: 'acme' } },
  { kind: 'user', key: 'ünïcode-✓' },
];

describe('secureModeHashSync', () => {
  it("gives the client's secureModeHash, which is node:crypto's HMAC-SHA256 of the canonical key", async () => {
    const sdkKey = 'sdk-0f1e2d3c-secure';
    const client = init(sdkKey, { offline: true });
    for (const context of CONTEXTS) {
      const sync = secureModeHashSync(sdkKey, context);
      expect(sync).toBe(await client.secureModeHash(context));
    }
    expect(secureModeHashSync(sdkKey, { kind: 'org', key: 'o:1' })).toBe(
      createHmac('sha256', sdkKey).update('org:o%3A1').digest('hex'),
    );
  });

  it('is undefined for an invalid context and refuses a key that is not a string', () => {
    expect(secureModeHashSync('k', { kind: 'user', key: '' })).toBeUndefined();
    expect(secureModeHashSync('k', null as never)).toBeUndefined();
    expect(() => secureModeHashSync(undefined as never, { key: 'u' })).toThrow(/sdkKey must be a string, got undefined/);
  });

  it('runs synchronously inside workerd, and the edge bundles do not carry it', async () => {
    const script = await build({
      stdin: {
        contents: `import { secureModeHashSync } from './src/secureMode.ts';
export default { fetch: () => new Response(String(secureModeHashSync('sdk-w', { kind: 'org', key: 'acme' }))) };`,
        resolveDir: new URL('..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    const mf = new Miniflare({ modules: true, script: script.outputFiles[0].text, compatibilityDate: '2024-09-23' });
    try {
      const response = await mf.dispatchFetch('http://localhost/');
      expect(await response.text()).toBe(createHmac('sha256', 'sdk-w').update('org:acme').digest('hex'));
    } finally {
      await mf.dispose();
    }
    // The SHA-256 derives its constants with Math.cbrt: in this module's bundle, not in the hosts'.
    expect(script.outputFiles[0].text).toContain('Math.cbrt');
    for (const host of ['cloudflare', 'vercel', 'deno']) {
      const edge = await build({ entryPoints: [`runtimes/${host}/index.ts`], bundle: true, format: 'esm', platform: 'neutral', write: false });
      expect(edge.outputFiles[0].text).not.toContain('Math.cbrt');
    }
  });
});
