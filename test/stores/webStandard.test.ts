// ldedge/dynamodb and ldedge/consul run in every host, Workers included: bundled for a neutral
// platform they import nothing from Node. (tsconfig.json also type-checks them without Node's types.)
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('web-standard stores', () => {
  for (const store of ['dynamodb', 'consul']) {
    it(`ldedge/${store} bundles without Node imports`, async () => {
      const result = await build({
        entryPoints: [`${root}stores/${store}/index.ts`],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      const text = result.outputFiles[0].text;
      expect(text).toContain(store === 'dynamodb' ? 'DynamoDB_20120810' : '/v1/txn');
      expect(text).not.toMatch(/["']node:|\brequire\(|\bBuffer\b|\bprocess\./);
    });
  }
});
