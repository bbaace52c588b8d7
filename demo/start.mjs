// Evaluates the example flags for a few sample contexts with the built package.
import { readFileSync } from 'node:fs';
import { init } from '../dist/src/index.js';

const payload = readFileSync(new URL('../examples/flags.json', import.meta.url), 'utf8');
const client = init('sdk-example-key', { payload });
await client.waitForInitialization();

const contexts = [
  { kind: 'user', key: 'alice', name: 'Alice' },
  { kind: 'user', key: 'bob', country: 'de', groups: ['beta'] },
  { kind: 'user', key: 'carol', plan: 'free' },
  { kind: 'multi', user: { key: 'dave', plan: 'pro' }, org: { key: 'acme' } },
];
const flags = ['new-checkout', 'banner-text', 'max-upload-mb'];

for (const context of contexts) {
  console.log(`\n${JSON.stringify(context)}`);
  for (const flag of flags) {
    const { value, variationIndex, reason } = client.variationDetail(flag, context, null);
    console.log(`  ${flag.padEnd(15)} = ${JSON.stringify(value).padEnd(30)} variation ${variationIndex} ${JSON.stringify(reason)}`);
  }
}
await client.close();
