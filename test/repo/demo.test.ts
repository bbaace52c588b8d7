// npm start says why each sample user gets each value: demo/explain.mjs reads the reason against
// the flag's rules, and the demo prints it under every evaluation.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM module of the demo, without types
import { explain } from '../../demo/explain.mjs';
import { init } from '../../src/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PAYLOAD = JSON.parse(readFileSync(join(ROOT, 'examples/flags.json'), 'utf8'));
const client = init('sdk-key', { payload: PAYLOAD, sendEvents: false });

type Why = (flag: unknown, detail: unknown, context: unknown, flags: unknown) => string;
/** The explanation for a real evaluation of `flagKey` over examples/flags.json. */
function why(flagKey: string, context: Record<string, unknown>): string {
  const detail = client.variationDetail(flagKey, context as { kind: string; key: string }, null);
  return (explain as Why)(PAYLOAD.flags[flagKey], detail, context, PAYLOAD.flags);
}

describe('the demo explains each answer', () => {
  it('names the target, the rule and its clauses, the rollout, the prerequisite and the segment', () => {
    expect(why('new-checkout', { kind: 'user', key: 'alice' })).toBe('user "alice" is targeted individually');
    expect(why('new-checkout', { kind: 'user', key: 'bob', groups: ['beta'] })).toBe('rule 1 ("beta-testers") matched: user groups is one of "beta"');
    expect(why('new-checkout', { kind: 'user', key: 'carol' })).toMatch(
      /^no target or rule matched, so the default rule applies: a percentage rollout \(true 25% \/ false 75%\) put this context in the bucket of (true|false)$/,
    );
    expect(why('banner-text', { kind: 'user', key: 'carol' })).toBe(
      'it applies only where prerequisite "new-checkout" is true, which it is not here, so the off variation is served',
    );
    expect(why('max-upload-mb', { kind: 'user', key: 'carol', plan: 'pro' })).toMatch(/^rule 1 \("paid-plans"\) matched: the user is in segment "paying-customers"$/);
    expect(why('banner-text', { kind: 'multi', user: { key: 'alice' }, org: { key: 'acme' } })).toBe('org "acme" is targeted individually');
    expect(why('missing', { kind: 'user', key: 'x' })).toBe('evaluation failed (FLAG_NOT_FOUND), so the default value is served');
    const off = { ...PAYLOAD.flags['max-upload-mb'], on: false };
    expect((explain as Why)(off, { value: 10, variationIndex: 0, reason: { kind: 'OFF' } }, {}, {})).toBe('the flag is off, so everyone gets its off variation');
  });

  it('npm start prints the reason under every evaluation of every sample user', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'demo/start.mjs'), '--once'], { cwd: ROOT, timeout: 30_000 });
    const whyLines = stdout.split('\n').filter((line) => /^\s+why: /.test(line));
    expect(whyLines).toHaveLength(4 * 3);
    expect(stdout).toMatch(/new-checkout\s+= true\s+variation 0 \(TARGET_MATCH\)\n\s+why: user "alice" is targeted individually/);
    expect(stdout).toMatch(/banner-text\s+= "Kostenloser Versand"\s+variation 1 \(RULE_MATCH\)\n\s+why: rule 1 \("eu-users"\) matched: user country is one of "de", "fr", "nl"/);
    expect(stdout).toMatch(/max-upload-mb\s+= 500\s+variation 1 \(RULE_MATCH\)\n\s+why: rule 1 \("paid-plans"\) matched: the user is in segment "paying-customers"/);
  }, 40_000);
});
