// Inputs on which ldedge once disagreed with LaunchDarkly's Node SDK, or lost events or data:
// each case states what LaunchDarkly's SDK does.
import { describe, expect, it } from 'vitest';
import { init, InMemoryPersistentStore, type AllData, type DataLoader, type FlagData, type LDContext } from '../../src/index.js';
import { recordingLogger } from '../helpers/logger.js';

function flag(extra: Partial<FlagData>): FlagData {
  return { key: 'f', version: 1, on: true, fallthrough: { variation: 0 }, variations: ['fall', 'one', 'two'], salt: 's', ...extra } as FlagData;
}

function detail(f: FlagData, context: unknown) {
  const client = init('sdk-key', { sendEvents: false, logger: recordingLogger(), payload: { flags: { f }, segments: {} } });
  return client.variationDetail('f', context as LDContext, 'default');
}

const clause = (attribute: string, values: unknown[]): Partial<FlagData> =>
  ({ rules: [{ id: 'r', variation: 1, clauses: [{ attribute, op: 'in', values, negate: false }] }] }) as Partial<FlagData>;

describe('evaluation as in LaunchDarkly', () => {
  it("a user-kind contextTargets entry only points at the targets entry of its variation", () => {
    const onlyContextTargets = flag({ targets: [], contextTargets: [{ contextKind: 'user', variation: 2, values: ['u1'] }] });
    expect(detail(onlyContextTargets, { kind: 'user', key: 'u1' }).reason.kind).toBe('FALLTHROUGH');
    const both = flag({
      targets: [{ variation: 2, values: ['u1'] }],
      contextTargets: [{ contextKind: 'user', variation: 2, values: ['other'] }],
    });
    expect(detail(both, { kind: 'user', key: 'u1' })).toMatchObject({ value: 'two', reason: { kind: 'TARGET_MATCH' } });
    expect(detail(both, { kind: 'user', key: 'other' }).reason.kind).toBe('FALLTHROUGH');
  });

  it('an older user object reads custom first, built-ins only where set and not null', () => {
    const f = flag(clause('email', ['c@x']));
    expect(detail(f, { key: 'u1', custom: { email: 'c@x' } }).reason.kind).toBe('RULE_MATCH');
    expect(detail(f, { key: 'u1', email: null, custom: { email: 'c@x' } }).reason.kind).toBe('RULE_MATCH');
    expect(detail(f, { key: 'u1', email: 'd@x', custom: { email: 'c@x' } }).reason.kind).toBe('FALLTHROUGH');
  });

  it('any truthy anonymous counts, and a non-string user key is read as a string', () => {
    expect(detail(flag(clause('anonymous', [true])), { key: 'u1', anonymous: 'yes' }).reason.kind).toBe('RULE_MATCH');
    expect(detail(flag({ targets: [{ variation: 1, values: ['123'] }] }), { key: 123 }).reason.kind).toBe('TARGET_MATCH');
  });

  it('"in" compares objects and arrays by identity, so they never match', () => {
    const f = flag(clause('o', [{ a: 1 }, [1]]));
    expect(detail(f, { kind: 'user', key: 'u', o: { a: 1 } }).reason.kind).toBe('FALLTHROUGH');
    expect(detail(f, { kind: 'user', key: 'u', o: [1] }).reason.kind).toBe('FALLTHROUGH');
    expect(detail(flag(clause('o', [{ a: 1 }, 'x'])), { kind: 'user', key: 'u', o: 'x' }).reason.kind).toBe('RULE_MATCH');
  });

  it('a context whose key getter throws gives the default and never throws', () => {
    const hostile = {
      kind: 'user',
      get key(): string {
        throw new Error('no key for you');
      },
    };
    const logger = recordingLogger();
    const client = init('sdk-key', { sendEvents: true, eventsUri: 'http://127.0.0.1:9', logger, payload: { flags: { f: flag({}) }, segments: {} } });
    expect(client.variationDetail('f', hostile as never, 'default')).toEqual({
      value: 'default',
      variationIndex: undefined,
      reason: { kind: 'ERROR', errorKind: 'USER_NOT_SPECIFIED' },
    });
    expect(client.allFlagsState(hostile as never).toJSON().$valid).toBe(false);
    expect(() => client.track('t', hostile as never)).not.toThrow();
    expect(() => client.identify(hostile as never)).not.toThrow();
    expect(() => client.secureModeHash(hostile as never)).not.toThrow();
    expect(logger.lines.some((l) => l.includes('no key for you'))).toBe(true);
  });
});

describe('nothing lost', () => {
  it('a context that throws when redacted loses its own event only, counted and logged', async () => {
    const payloads: unknown[][] = [];
    const logger = recordingLogger();
    const client = init('sdk-key', {
      logger,
      payload: { flags: { f: flag({}) }, segments: {} },
      eventSender: { sendEvents: async (body) => (payloads.push(JSON.parse(body)), { outcome: 'success' }) },
    });
    let broken = false;
    // Readable when recorded, throwing once the flush redacts it (contexts are held by reference).
    const flaky = {
      kind: 'user',
      key: 'flaky',
      get name(): string {
        if (broken) throw new Error('gone');
        return 'n';
      },
    };
    client.identify({ kind: 'user', key: 'fine' });
    client.identify(flaky);
    client.track('t', { kind: 'user', key: 'fine2' });
    broken = true;
    await client.flush();
    const events = payloads.flat() as Array<{ kind: string; context?: { key: string } }>;
    expect(events.map((e) => e.context?.key).filter(Boolean).sort()).toEqual(['fine', 'fine2', 'fine2']);
    expect(client.droppedEvents()).toBe(1);
    expect(logger.lines.some((l) => l.startsWith('warn:') && l.includes('gone'))).toBe(true);
  });

  it('a load that settles after a newer one never replaces its data; a slow reload keeps the flags held', async () => {
    const versions = (v: number): AllData => ({ flags: { f: flag({ version: v, variations: [`v${v}`] }) }, segments: {} });
    const pending: Array<(data: AllData) => void> = [];
    const loader: DataLoader = { name: 'test', load: () => new Promise((resolve) => pending.push(resolve)) };
    const logger = recordingLogger();
    const client = init('sdk-key', { sendEvents: false, logger, cacheTtl: 0, connectTimeout: 0.001, readTimeout: 0.001, dataSource: loader });
    const user = { kind: 'user', key: 'u' };

    const first = client.waitForInitialization({ timeout: 1 });
    pending[0](versions(1));
    await first;
    expect(client.variation('f', user, 'd')).toBe('v1');

    // Read 2 hangs: the wait gives up, and the flags held stay.
    await expect(client.waitForInitialization({ timeout: 0.05 })).resolves.toBe(client);
    expect(client.variation('f', user, 'd')).toBe('v1');
    expect(logger.lines.some((l) => l.startsWith('warn:') && l.includes('keeping the flags loaded before'))).toBe(true);

    // Read 2 outlived every timeout, so read 3 starts and lands.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const third = client.waitForInitialization({ timeout: 1 });
    expect(pending).toHaveLength(3);
    pending[2](versions(3));
    await third;
    const loadedAt = client.dataStatus().loadedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));

    // Read 2 settles last: older than what is held, it changes nothing.
    pending[1](versions(2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(client.variation('f', user, 'd')).toBe('v3');
    expect(client.dataStatus().loadedAt).toBe(loadedAt);
  });

  it('an item keyed __proto__ is data like any other, from a stream patch or a persistent store', async () => {
    const special = flag({ key: '__proto__', variations: ['special'] });
    const user = { kind: 'user', key: 'u' };
    const streamed = init('sdk-key', {
      sendEvents: false,
      logger: recordingLogger(),
      dataSource: {
        async start(updates) {
          updates.init({ flags: { f: flag({}) }, segments: {} });
          updates.upsert('flags', '__proto__', special);
        },
        close() {},
      },
    });
    await streamed.waitForInitialization({ timeout: 1 });
    expect(streamed.variation('__proto__', user, 'd')).toBe('special');
    expect(streamed.variation('f', user, 'd')).toBe('fall');

    const store = new InMemoryPersistentStore();
    // JSON.parse makes `__proto__` an own key, as a store's reply would.
    await store.init({ flags: JSON.parse(`{"__proto__": ${JSON.stringify(JSON.stringify(special))}}`), segments: {} });
    const daemon = init('sdk-key', { sendEvents: false, logger: recordingLogger(), useLdd: true, featureStore: store });
    await daemon.waitForInitialization({ timeout: 1 });
    expect(daemon.variation('__proto__', user, 'd')).toBe('special');
  });
});
