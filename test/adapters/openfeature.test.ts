// The OpenFeature provider through OpenFeature's own server SDK: contexts mapped as LaunchDarkly's
// providers map them, resolution details and error codes, track, provider events (ready, error,
// configuration changed from stream patches and a custom source), and the synchronous path.
import { OpenFeature, ProviderEvents, type EvaluationContext, type EventDetails } from '@openfeature/server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LaunchDarklyProvider, createProvider, toLDContext } from '../../adapters/openfeature/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { init, silentLoggerForTests, TestData, type LDClient, type LDLogger } from '../helpers/sdk.js';

const flags = {
  flags: {
    checkout: {
      key: 'checkout', version: 4, on: true, salt: 's', offVariation: 0, variations: [false, true],
      targets: [{ values: ['vip'], variation: 1 }],
      rules: [{ id: 'pro-orgs', variation: 1, clauses: [{ contextKind: 'org', attribute: 'plan', op: 'in', values: ['pro'], negate: false }] }],
      fallthrough: { variation: 0 },
    },
    region: {
      key: 'region', version: 1, on: true, salt: 's', offVariation: 0, variations: ['other', 'nordic'],
      rules: [{ id: 'oslo', variation: 1, clauses: [{ contextKind: 'user', attribute: '/address/city', op: 'in', values: ['Oslo'], negate: false }] }],
      fallthrough: { variation: 0 },
    },
    banner: { key: 'banner', version: 1, on: false, salt: 's', offVariation: 0, variations: ['old'], fallthrough: { variation: 0 } },
    limit: { key: 'limit', version: 1, on: true, salt: 's', offVariation: 0, variations: [5], fallthrough: { variation: 0 } },
    theme: { key: 'theme', version: 1, on: true, salt: 's', offVariation: 0, variations: [{ color: 'dark' }], fallthrough: { variation: 0 } },
  },
  segments: {},
};

const clients: LDClient[] = [];
let domain = 0;

function client(extra: Record<string, unknown> = {}): LDClient {
  const made = init('sdk-key', { payload: flags as never, sendEvents: false, logger: silentLoggerForTests, ...extra });
  clients.push(made);
  return made;
}

/** An OpenFeature client of a domain of its own, bound to `provider` once it is ready. */
async function openFeatureClient(provider: LaunchDarklyProvider) {
  const name = `test-${++domain}`;
  await OpenFeature.setProviderAndWait(name, provider);
  return OpenFeature.getClient(name);
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await OpenFeature.close();
});

describe('evaluation context → LaunchDarkly context', () => {
  it('is a user without kind, with targetingKey winning over key', () => {
    expect(toLDContext({ targetingKey: 'u1', key: 'other', email: 'a@b.c' })).toEqual({
      context: { kind: 'user', key: 'u1', email: 'a@b.c' },
      warnings: [],
    });
    expect(toLDContext({ key: 'u2' }).context).toEqual({ kind: 'user', key: 'u2' });
  });

  it('takes another kind, anonymous, name, private attributes, nested attributes and dates', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(
      toLDContext({
        kind: 'org', targetingKey: 'acme', name: 'Acme', anonymous: true, privateAttributes: ['plan'],
        plan: 'pro', address: { city: 'Oslo', since: when }, tags: ['a', when],
      }).context,
    ).toEqual({
      kind: 'org', key: 'acme', name: 'Acme', anonymous: true, _meta: { privateAttributes: ['plan'] },
      plan: 'pro', address: { city: 'Oslo', since: '2026-01-02T03:04:05.000Z' }, tags: ['a', '2026-01-02T03:04:05.000Z'],
    });
  });

  it('makes a multi-kind context from the objects beside kind "multi", each with its own meta', () => {
    const converted = toLDContext({
      kind: 'multi',
      user: { targetingKey: 'u1', anonymous: true },
      org: { key: 'acme', privateAttributes: ['plan'], plan: 'pro' },
      stray: 'not a context',
    });
    expect(converted.context).toEqual({
      kind: 'multi',
      user: { key: 'u1', anonymous: true },
      org: { key: 'acme', plan: 'pro', _meta: { privateAttributes: ['plan'] } },
    });
    expect(converted.warnings).toEqual([expect.stringContaining('"stray" is not an object')]);
  });

  it('warns about and drops what LaunchDarkly cannot use', () => {
    const converted = toLDContext({ kind: 7 as never, targetingKey: 'u', anonymous: 'yes', privateAttributes: [1] as never, name: 3 });
    expect(converted.context).toEqual({ kind: 'user', key: 'u' });
    expect(converted.warnings).toHaveLength(4);
    expect(converted.warnings.join('\n')).toMatch(/"kind" must be a string[\s\S]*"name" must be a string[\s\S]*"anonymous" must be a boolean[\s\S]*"privateAttributes" must be an array of strings/);
  });

  it('has no key without targetingKey or key, in a single or a member context', () => {
    expect(toLDContext({ email: 'a@b.c' }).missingKey).toMatch(/kind "user" has no "targetingKey"/);
    expect(toLDContext({ kind: 'multi', user: { key: 'u' }, org: { plan: 'pro' } }).missingKey).toMatch(/kind "org"/);
    expect(toLDContext({ kind: 'multi' }).missingKey).toMatch(/no contexts/);
  });
});

describe('resolution through the OpenFeature SDK', () => {
  it('resolves each type with the variation index as variant and the reason kind as reason', async () => {
    const of = await openFeatureClient(new LaunchDarklyProvider(client()));
    const user: EvaluationContext = { targetingKey: 'vip' };
    expect(await of.getBooleanDetails('checkout', false, user)).toEqual({
      flagKey: 'checkout', value: true, variant: '1', reason: 'TARGET_MATCH', flagMetadata: {},
    });
    expect(await of.getStringDetails('banner', 'x', user)).toMatchObject({ value: 'old', variant: '0', reason: 'OFF' });
    expect(await of.getNumberValue('limit', 0, user)).toBe(5);
    expect(await of.getObjectValue('theme', {}, user)).toEqual({ color: 'dark' });
  });

  it('targets through kinds, multi-kind contexts and nested attributes', async () => {
    const of = await openFeatureClient(new LaunchDarklyProvider(client()));
    const multi = { kind: 'multi', user: { targetingKey: 'u1' }, org: { targetingKey: 'acme', plan: 'pro' } };
    expect(await of.getBooleanDetails('checkout', false, multi)).toMatchObject({
      value: true, reason: 'RULE_MATCH', flagMetadata: { ruleIndex: 0, ruleId: 'pro-orgs' },
    });
    expect(await of.getBooleanValue('checkout', true, { kind: 'org', targetingKey: 'acme', plan: 'free' })).toBe(false);
    expect(await of.getStringValue('region', 'x', { targetingKey: 'u', address: { city: 'Oslo' } })).toBe('nordic');
    expect(await of.getStringValue('region', 'x', { targetingKey: 'u', address: { city: 'Bergen' } })).toBe('other');
  });

  it('maps errors to OpenFeature codes with the default value', async () => {
    const of = await openFeatureClient(new LaunchDarklyProvider(client()));
    const user = { targetingKey: 'u' };
    expect(await of.getBooleanDetails('missing', true, user)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(await of.getStringDetails('checkout', 'd', user)).toMatchObject({ value: 'd', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(await of.getObjectDetails('limit', { d: 1 }, user)).toMatchObject({ value: { d: 1 }, errorCode: 'TYPE_MISMATCH' });
    expect(await of.getBooleanDetails('checkout', true, {})).toMatchObject({ value: true, errorCode: 'TARGETING_KEY_MISSING' });
    expect(await of.getBooleanDetails('checkout', true, { kind: 'bad kind!', targetingKey: 'u' })).toMatchObject({
      value: true, errorCode: 'INVALID_CONTEXT',
    });
  });

  it('reports PROVIDER_NOT_READY for a client with no flags yet', async () => {
    const provider = new LaunchDarklyProvider(client({ payload: undefined, baseUri: 'http://127.0.0.1:1', connectTimeout: 0.2 }));
    expect(provider.resolve('checkout', true, { targetingKey: 'u' }, 'boolean')).toMatchObject({
      value: true, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY',
    });
  });

  it('emits Ready once flags are loaded, and Error when they cannot be', async () => {
    const ready: EventDetails[] = [];
    const errors: EventDetails[] = [];
    const good = new LaunchDarklyProvider(client());
    const bad = new LaunchDarklyProvider(client({ payload: undefined, baseUri: 'http://127.0.0.1:1' }), { timeout: 2 });
    OpenFeature.addHandler(ProviderEvents.Ready, (e) => void (e && ready.push(e)));
    OpenFeature.addHandler(ProviderEvents.Error, (e) => void (e && errors.push(e)));
    await OpenFeature.setProviderAndWait('ready-domain', good);
    await expect(OpenFeature.setProviderAndWait('error-domain', bad)).rejects.toThrow(/load failed/);
    await waitFor(() => errors.length > 0, 'an Error event');
    expect(ready.map((e) => e.domain)).toContain('ready-domain');
    expect(errors.map((e) => e.domain)).toEqual(['error-domain']);
  });
});

describe('track and events', () => {
  let mock: MockLaunchDarkly;
  beforeAll(async () => {
    mock = await startMockLaunchDarkly();
  });
  afterAll(async () => {
    await mock.close();
  });

  it('sends a custom event with the details as data and their value as the metric value', async () => {
    const ld = client({ sendEvents: true, eventsUri: mock.baseUri });
    const of = await openFeatureClient(new LaunchDarklyProvider(ld));
    of.track('checkout-completed', { targetingKey: 'u1', kind: 'customer' }, { value: 42.5, currency: 'EUR' });
    of.track('page-viewed', { targetingKey: 'u1' });
    await ld.flush();
    const custom = mock.events.bulk.flat().filter((e) => (e as { kind: string }).kind === 'custom');
    expect(custom).toEqual([
      expect.objectContaining({ key: 'checkout-completed', metricValue: 42.5, data: { currency: 'EUR' }, context: expect.objectContaining({ kind: 'customer', key: 'u1' }) }),
      expect.objectContaining({ key: 'page-viewed', context: expect.objectContaining({ kind: 'user', key: 'u1' }) }),
    ]);
    expect(custom[1]).not.toHaveProperty('data');
    expect(custom[1]).not.toHaveProperty('metricValue');
  });

  it('drops a track without a key, with a warning', () => {
    const warnings: string[] = [];
    const logger: LDLogger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    new LaunchDarklyProvider(client(), { logger }).track('x', { email: 'a@b.c' });
    expect(warnings).toEqual([expect.stringMatching(/track "x": context of kind "user" has no "targetingKey".*dropped/)]);
  });
});

describe('configuration changed', () => {
  it('is emitted for each stream patch that changes a flag, after the client applied it', async () => {
    const mock = await startMockLaunchDarkly();
    try {
      mock.streams.setData(flags);
      const provider = createProvider('sdk-key', { stream: true, streamUri: mock.baseUri, sendEvents: false, logger: silentLoggerForTests });
      const changes: Array<{ keys: string[] | undefined; value: string }> = [];
      const of = await openFeatureClient(provider);
      provider.events.addHandler(ProviderEvents.ConfigurationChanged, (e) => {
        changes.push({ keys: e?.flagsChanged as string[] | undefined, value: provider.getClient().stringVariation('banner', { key: 'u' }, 'x') });
      });
      mock.streams.patch('flags', 'banner', { ...flags.flags.banner, version: 2, variations: ['new'] });
      await waitFor(() => changes.length === 1, 'a ConfigurationChanged event');
      expect(changes[0]).toEqual({ keys: ['banner'], value: 'new' });
      expect(await of.getStringValue('banner', 'x', { targetingKey: 'u' })).toBe('new');
      // A stale patch changes nothing and says nothing; a segment change names no flags.
      mock.streams.patch('flags', 'banner', { ...flags.flags.banner, version: 1 });
      mock.streams.patch('segments', 'beta', { key: 'beta', version: 1, included: ['u'], salt: 's' });
      await waitFor(() => changes.length === 2, 'the segment change');
      expect(changes[1].keys).toBeUndefined();
      // A new full data set names the flags that differ.
      mock.streams.put({ flags: { ...flags.flags, limit: { ...flags.flags.limit, version: 9 } }, segments: { beta: { key: 'beta', version: 1, included: ['u'], salt: 's' } } });
      await waitFor(() => changes.length === 3, 'the put');
      expect(changes[2].keys?.sort()).toEqual(['banner', 'limit']);
      await OpenFeature.clearProviders();
    } finally {
      await mock.close();
    }
  });

  it('is emitted for a custom background source, and onClose closes the client it made', async () => {
    const td = new TestData();
    td.update(td.flag('beta').booleanFlag().variationForAll(false));
    const provider = createProvider('sdk-key', { dataSource: td, sendEvents: false, logger: silentLoggerForTests });
    const changed: Array<string[] | undefined> = [];
    provider.events.addHandler(ProviderEvents.ConfigurationChanged, (e) => void changed.push(e?.flagsChanged as string[] | undefined));
    const of = await openFeatureClient(provider);
    td.update(td.flag('beta').variationForAll(true));
    expect(changed).toEqual([['beta']]);
    expect(await of.getBooleanValue('beta', false, { targetingKey: 'u' })).toBe(true);
    await provider.onClose();
    td.update(td.flag('beta').variationForAll(false));
    expect(provider.getClient().boolVariation('beta', { key: 'u' }, true)).toBe(true);
  });

  it('is not emitted for a client passed in, which onClose flushes but leaves open', async () => {
    const ld = client();
    const provider = new LaunchDarklyProvider(ld);
    await provider.onClose();
    expect(ld.boolVariation('checkout', { key: 'vip' }, false)).toBe(true);
  });
});

describe('the synchronous path', () => {
  it('converts the context once and evaluates without promises', () => {
    const ld = client();
    const flagsFor = new LaunchDarklyProvider(ld).forContext({ kind: 'org', targetingKey: 'acme', plan: 'pro' });
    expect(flagsFor.getBooleanValue('checkout', false)).toBe(true);
    expect(flagsFor.getBooleanDetails('checkout', false)).toEqual({
      flagKey: 'checkout', value: true, variant: '1', reason: 'RULE_MATCH', flagMetadata: { ruleIndex: 0, ruleId: 'pro-orgs' },
    });
    expect(flagsFor.getNumberValue('limit', 0)).toBe(5);
    expect(flagsFor.getStringDetails('limit', 'd')).toMatchObject({ value: 'd', errorCode: 'TYPE_MISMATCH' });
    expect(flagsFor.getObjectValue('theme', {})).toEqual({ color: 'dark' });
    const keyless = new LaunchDarklyProvider(ld).forContext({});
    expect(keyless.getBooleanDetails('checkout', true)).toMatchObject({ value: true, errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('refuses something that is not a client', () => {
    expect(() => new LaunchDarklyProvider({} as never)).toThrow(/must be an ldedge client/);
    expect(() => new LaunchDarklyProvider(client(), { timeout: -1 })).toThrow(/option "timeout"/);
  });
});
