// TestData drives real clients through the public API: what is built must evaluate as described.
import { afterEach, describe, expect, it } from 'vitest';
import { TestData } from '../../src/data/testData.js';
import {
  init,
  type AllData,
  type DataKind,
  type DataSourceUpdates,
  type FlagData,
  type LDClient,
  type LDDataSource,
  type SegmentData,
  silentLoggerForTests as logger,
} from '../helpers/sdk.js';

const clients: LDClient[] = [];

async function start(dataSource: LDDataSource): Promise<LDClient> {
  const client = init('sdk-key', { dataSource, sendEvents: false, logger });
  clients.push(client);
  await client.waitForInitialization({ timeout: 1 });
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** Records what a source sends, as a client would receive it. */
function recorder(): DataSourceUpdates & { inits: AllData[]; upserts: [DataKind, string, FlagData | SegmentData][] } {
  const inits: AllData[] = [];
  const upserts: [DataKind, string, FlagData | SegmentData][] = [];
  return {
    inits,
    upserts,
    init: (data) => inits.push(data),
    upsert: (kind, key, item) => upserts.push([kind, key, item]),
  };
}

const alice = { key: 'alice' };
const bob = { key: 'bob' };

describe('boolean flags', () => {
  it('a new flag is a boolean flag serving true', async () => {
    const td = new TestData();
    td.update(td.flag('f'));
    const client = await start(td);
    expect(client.boolVariationDetail('f', alice, false)).toEqual({
      value: true,
      variationIndex: 0,
      reason: { kind: 'FALLTHROUGH' },
    });
  });

  it('variationForAll serves one value to everyone, and off serves the off variation', async () => {
    const td = new TestData();
    td.update(td.flag('f').booleanFlag().variationForAll(false));
    const client = await start(td);
    expect(client.boolVariation('f', alice, true)).toBe(false);
    expect(client.boolVariation('f', { kind: 'org', key: 'acme' }, true)).toBe(false);

    td.update(td.flag('f').variationForAll(true).offVariation(false).on(false));
    expect(client.boolVariationDetail('f', alice, true)).toEqual({
      value: false,
      variationIndex: 1,
      reason: { kind: 'OFF' },
    });
  });

  it('variationForAll removes earlier targets and rules and turns the flag on', async () => {
    const td = new TestData();
    td.update(td.flag('f').on(false).variationForUser('alice', false).ifMatch('name', 'Bob').thenReturn(false));
    td.update(td.flag('f').variationForAll(true));
    const client = await start(td);
    expect(client.boolVariation('f', alice, false)).toBe(true);
    expect(client.boolVariation('f', { key: 'b', name: 'Bob' }, false)).toBe(true);
  });
});

describe('targets', () => {
  it('targets users by key, in LaunchDarkly wire format', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForUser('alice', false).variationForUser('carol', false));
    const client = await start(td);
    expect(client.boolVariationDetail('f', alice, true)).toEqual({
      value: false,
      variationIndex: 1,
      reason: { kind: 'TARGET_MATCH' },
    });
    expect(client.boolVariation('f', bob, false)).toBe(true);

    const r = recorder();
    await td.start(r);
    const flag = r.inits[0].flags.f;
    expect(flag.targets).toEqual([{ variation: 1, values: ['alice', 'carol'] }]);
    expect(flag.contextTargets).toEqual([{ contextKind: 'user', variation: 1, values: [] }]);
  });

  it('retargeting a key moves it out of its earlier variation', async () => {
    const td = new TestData();
    td.update(td.flag('f').fallthroughVariation(false).variationForUser('alice', false));
    td.update(td.flag('f').variationForUser('alice', true).variationForUser('bob', false));
    const client = await start(td);
    expect(client.boolVariationDetail('f', alice, false)).toMatchObject({ value: true, reason: { kind: 'TARGET_MATCH' } });
    expect(client.boolVariationDetail('f', bob, true)).toMatchObject({ value: false, reason: { kind: 'TARGET_MATCH' } });

    const r = recorder();
    await td.start(r);
    expect(r.inits[0].flags.f.targets).toEqual([
      { variation: 0, values: ['alice'] },
      { variation: 1, values: ['bob'] },
    ]);
  });

  it('targets other context kinds by key, in contextTargets', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForKey('org', 'acme', false));
    const client = await start(td);
    expect(client.boolVariation('f', { kind: 'org', key: 'acme' }, true)).toBe(false);
    expect(client.boolVariation('f', { kind: 'org', key: 'other' }, false)).toBe(true);
    // A user with the same key is a different context, targeted separately.
    expect(client.boolVariation('f', { key: 'acme' }, false)).toBe(true);
    td.update(td.flag('f').variationForUser('acme', false));
    expect(client.boolVariationDetail('f', { key: 'acme' }, true)).toMatchObject({ value: false, reason: { kind: 'TARGET_MATCH' } });
    expect(client.boolVariation('f', { kind: 'org', key: 'acme' }, true)).toBe(false);
    td.update(td.flag('f').clearTargets().variationForKey('org', 'acme', false));
    expect(
      client.boolVariation('f', { kind: 'multi', user: { key: 'u' }, org: { key: 'acme' } }, true),
    ).toBe(false);

    const r = recorder();
    await td.start(r);
    expect(r.inits[0].flags.f.targets).toEqual([]);
    expect(r.inits[0].flags.f.contextTargets).toEqual([{ contextKind: 'org', variation: 1, values: ['acme'] }]);
  });

  it('clearTargets removes every target', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForUser('alice', false).variationForKey('org', 'acme', false));
    td.update(td.flag('f').clearTargets());
    const client = await start(td);
    expect(client.boolVariation('f', alice, false)).toBe(true);
    expect(client.boolVariation('f', { kind: 'org', key: 'acme' }, false)).toBe(true);
  });
});

describe('rules', () => {
  it('a rule matches when every clause does, negated clauses included', async () => {
    const td = new TestData();
    td.update(
      td
        .flag('f')
        .fallthroughVariation(false)
        .ifMatch('country', 'gb', 'fr')
        .andNotMatch('plan', 'free')
        .thenReturn(true),
    );
    const client = await start(td);
    const user = (key: string, attributes: Record<string, string>) => ({ kind: 'user', key, ...attributes });
    expect(client.boolVariationDetail('f', user('a', { country: 'gb', plan: 'pro' }), false)).toEqual({
      value: true,
      variationIndex: 0,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'rule0' },
    });
    expect(client.boolVariation('f', user('b', { country: 'fr', plan: 'team' }), false)).toBe(true);
    expect(client.boolVariation('f', user('c', { country: 'fr', plan: 'free' }), true)).toBe(false);
    expect(client.boolVariation('f', user('d', { country: 'de', plan: 'pro' }), true)).toBe(false);
    // As in LaunchDarkly, a clause on a missing attribute does not match, negated or not.
    expect(client.boolVariation('f', user('e', { country: 'gb' }), true)).toBe(false);
  });

  it('rules are tried in order, with ids rule0, rule1…, and can start negated', async () => {
    const td = new TestData();
    td.update(
      td
        .flag('f')
        .variations('red', 'green', 'blue')
        .fallthroughVariation(0)
        .ifMatchContext('org', 'tier', 'gold')
        .andMatchContext('org', 'region', 'eu')
        .thenReturn(1)
        .ifNotMatchContext('org', 'tier', 'gold')
        .andNotMatchContext('org', 'tier', 'silver')
        .thenReturn(2),
    );
    const client = await start(td);
    expect(client.stringVariationDetail('f', { kind: 'org', key: 'a', tier: 'gold', region: 'eu' }, '')).toEqual({
      value: 'green',
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'rule0' },
    });
    expect(client.stringVariation('f', { kind: 'org', key: 'b', tier: 'gold', region: 'us' }, '')).toBe('red');
    expect(client.stringVariation('f', { kind: 'org', key: 'c', tier: 'silver' }, '')).toBe('red');
    expect(client.stringVariationDetail('f', { kind: 'org', key: 'd', tier: 'bronze' }, '')).toEqual({
      value: 'blue',
      variationIndex: 2,
      reason: { kind: 'RULE_MATCH', ruleIndex: 1, ruleId: 'rule1' },
    });
    // The clauses name the org kind: a user with the same attributes matches neither rule.
    expect(client.stringVariation('f', { key: 'e', tier: 'bronze' }, '')).toBe('red');

    const r = recorder();
    await td.start(r);
    expect(r.inits[0].flags.f.rules).toEqual([
      {
        id: 'rule0',
        variation: 1,
        clauses: [
          { contextKind: 'org', attribute: 'tier', op: 'in', values: ['gold'], negate: false },
          { contextKind: 'org', attribute: 'region', op: 'in', values: ['eu'], negate: false },
        ],
      },
      {
        id: 'rule1',
        variation: 2,
        clauses: [
          { contextKind: 'org', attribute: 'tier', op: 'in', values: ['gold'], negate: true },
          { contextKind: 'org', attribute: 'tier', op: 'in', values: ['silver'], negate: true },
        ],
      },
    ]);
  });

  it('targets win over rules, and clearRules removes the rules', async () => {
    const td = new TestData();
    td.update(td.flag('f').fallthroughVariation(false).ifMatch('key', 'alice').thenReturn(true).variationForUser('alice', false));
    const client = await start(td);
    expect(client.boolVariationDetail('f', alice, true)).toMatchObject({ value: false, reason: { kind: 'TARGET_MATCH' } });
    td.update(td.flag('f').clearTargets());
    expect(client.boolVariationDetail('f', alice, false)).toMatchObject({ value: true, reason: { kind: 'RULE_MATCH' } });
    td.update(td.flag('f').clearRules());
    expect(client.boolVariationDetail('f', alice, true)).toMatchObject({ value: false, reason: { kind: 'FALLTHROUGH' } });
  });
});

describe('non-boolean flags', () => {
  it('serves variations by index', async () => {
    const td = new TestData();
    td.update(td.flag('colour').variations('red', 'green', 'blue').fallthroughVariation(2).offVariation(0));
    const client = await start(td);
    expect(client.stringVariation('colour', alice, '')).toBe('blue');
    td.update(td.flag('colour').on(false));
    expect(client.stringVariation('colour', alice, '')).toBe('red');
  });

  it('valueForAll serves one JSON value', async () => {
    const td = new TestData();
    td.update(td.flag('config').valueForAll({ limit: 10, tags: ['a'] }));
    const client = await start(td);
    expect(client.jsonVariation('config', alice, null)).toEqual({ limit: 10, tags: ['a'] });
  });

  it('a boolean makes the flag boolean again', async () => {
    const td = new TestData();
    td.update(td.flag('f').valueForAll('x'));
    td.update(td.flag('f').variationForUser('alice', false));
    const client = await start(td);
    expect(client.boolVariation('f', alice, true)).toBe(false);
    expect(client.boolVariation('f', bob, false)).toBe(true);
  });
});

describe('updates', () => {
  it('reach a running client at once, building on the flag as last updated', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForAll(true));
    const client = await start(td);
    expect(client.boolVariation('f', alice, false)).toBe(true);

    td.update(td.flag('f').variationForUser('alice', false));
    expect(client.boolVariation('f', alice, true)).toBe(false);
    expect(client.boolVariation('f', bob, false)).toBe(true);

    td.update(td.flag('f').variationForUser('bob', false));
    expect(client.boolVariation('f', alice, true)).toBe(false);
    expect(client.boolVariation('f', bob, true)).toBe(false);

    td.update(td.flag('new-flag').valueForAll(3));
    expect(client.numberVariation('new-flag', alice, 0)).toBe(3);
  });

  it('show in allFlagsState after an earlier call, added or deleted', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForAll(true));
    let updates: DataSourceUpdates | undefined;
    // TestData feeds the client; a second source of the same client's updates deletes an item.
    const client = await start({
      start: (u) => ((updates = u), td.start(u)),
      close: () => td.close(),
    });
    expect(Object.keys(client.allFlagsState(alice).allValues())).toEqual(['f']);
    td.update(td.flag('g').valueForAll(2));
    expect(client.allFlagsState(alice).allValues()).toEqual({ f: true, g: 2 });
    updates!.upsert('flags', 'f', { key: 'f', version: 99, deleted: true } as unknown as FlagData);
    expect(client.allFlagsState(alice).allValues()).toEqual({ g: 2 });
  });

  it('a builder changed after update changes nothing until it is updated again', async () => {
    const td = new TestData();
    const builder = td.flag('f').variationForAll(true);
    td.update(builder);
    const client = await start(td);
    builder.variationForAll(false);
    expect(client.boolVariation('f', alice, false)).toBe(true);
    expect(td.flag('f').build(1).fallthrough).toEqual({ variation: 0 });
    td.update(builder);
    expect(client.boolVariation('f', alice, true)).toBe(false);
  });

  it('a client started later gets the current data', async () => {
    const td = new TestData();
    const first = await start(td);
    td.update(td.flag('f').variationForAll(false));
    const second = await start(td);
    expect(first.boolVariation('f', alice, true)).toBe(false);
    expect(second.boolVariation('f', alice, true)).toBe(false);
  });

  it('bump the version of the key on every update', async () => {
    const td = new TestData();
    const r = recorder();
    await td.start(r);
    td.update(td.flag('a'));
    td.update(td.flag('a').variationForAll(false));
    td.update(td.flag('b'));
    td.update(td.flag('a').on(false));
    expect(r.upserts.map(([kind, key, item]) => [kind, key, item.version])).toEqual([
      ['flags', 'a', 1],
      ['flags', 'a', 2],
      ['flags', 'b', 1],
      ['flags', 'a', 3],
    ]);
    td.close();
  });
});

describe('several clients', () => {
  it('each client given the TestData is updated', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForAll(true));
    const a = await start(td);
    const b = await start(td);
    td.update(td.flag('f').variationForAll(false));
    expect(a.boolVariation('f', alice, true)).toBe(false);
    expect(b.boolVariation('f', alice, true)).toBe(false);
  });

  it('closing a client with its own dataSource() stops updates to it alone', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForAll(true));
    const a = await start(td.dataSource());
    const b = await start(td.dataSource());
    const c = await start(td);
    await a.close();
    td.update(td.flag('f').variationForAll(false));
    expect(a.boolVariation('f', alice, false)).toBe(true);
    expect(b.boolVariation('f', alice, true)).toBe(false);
    expect(c.boolVariation('f', alice, true)).toBe(false);
  });

  it('closing a client given the TestData itself detaches every such client', async () => {
    const td = new TestData();
    td.update(td.flag('f').variationForAll(true));
    const a = await start(td);
    const b = await start(td);
    const own = await start(td.dataSource());
    await a.close();
    td.update(td.flag('f').variationForAll(false));
    expect(a.boolVariation('f', alice, false)).toBe(true);
    expect(b.boolVariation('f', alice, false)).toBe(true);
    expect(own.boolVariation('f', alice, true)).toBe(false);

    // The TestData stays usable: a new client is attached and updated.
    const later = await start(td);
    td.update(td.flag('g').valueForAll('new'));
    expect(later.stringVariation('g', alice, 'default')).toBe('new');
    expect(b.stringVariation('g', alice, 'default')).toBe('default');
  });
});

describe('preconfigured items', () => {
  const segment: SegmentData = { key: 'beta', version: 7, included: ['alice'], salt: 'x' };
  const segmentFlag: FlagData = {
    key: 'seg-flag',
    version: 42,
    on: true,
    variations: ['in', 'out'],
    fallthrough: { variation: 1 },
    offVariation: 1,
    rules: [{ id: 'r', variation: 0, clauses: [{ attribute: '', op: 'segmentMatch', values: ['beta'] }] }],
    salt: 'y',
  };

  it('a preconfigured segment and a flag using it evaluate, and updates to the segment apply', async () => {
    const td = new TestData();
    td.usePreconfiguredSegment(segment).usePreconfiguredFlag(segmentFlag);
    const client = await start(td);
    expect(client.stringVariationDetail('seg-flag', alice, '')).toEqual({
      value: 'in',
      variationIndex: 0,
      reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'r' },
    });
    expect(client.stringVariation('seg-flag', bob, '')).toBe('out');

    // A lower version than held is still applied: TestData numbers the versions itself.
    td.usePreconfiguredSegment({ ...segment, version: 1, included: ['bob'] });
    expect(client.stringVariation('seg-flag', alice, '')).toBe('out');
    expect(client.stringVariation('seg-flag', bob, '')).toBe('in');
  });

  it('versions count on from the held item, whichever way it was stored', async () => {
    const td = new TestData();
    const r = recorder();
    await td.start(r);
    td.update(td.flag('seg-flag'));
    td.update(td.flag('seg-flag'));
    td.usePreconfiguredFlag(segmentFlag);
    td.usePreconfiguredFlag({ ...segmentFlag, version: 1 });
    td.usePreconfiguredSegment(segment);
    expect(r.upserts.map(([kind, key, item]) => [kind, key, item.version])).toEqual([
      ['flags', 'seg-flag', 1],
      ['flags', 'seg-flag', 2],
      ['flags', 'seg-flag', 3],
      ['flags', 'seg-flag', 4],
      ['segments', 'beta', 1],
    ]);
    // The caller's object is not changed.
    expect(segmentFlag.version).toBe(42);
  });

  it('holds copies: changing the object given afterwards changes nothing', async () => {
    const td = new TestData();
    const mine: SegmentData = { ...segment, included: ['alice'] };
    td.usePreconfiguredSegment(mine).usePreconfiguredFlag(segmentFlag);
    const client = await start(td);
    mine.included!.push('bob');
    expect(client.stringVariation('seg-flag', bob, '')).toBe('out');
  });

  it('replaces a built flag, and a later builder starts afresh', async () => {
    const td = new TestData();
    td.update(td.flag('seg-flag').variationForUser('alice', false));
    const client = await start(td);
    td.usePreconfiguredSegment(segment).usePreconfiguredFlag(segmentFlag);
    expect(client.stringVariation('seg-flag', alice, '')).toBe('in');
    td.update(td.flag('seg-flag'));
    expect(client.boolVariation('seg-flag', alice, false)).toBe(true);
  });
});
