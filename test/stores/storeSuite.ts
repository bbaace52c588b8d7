// The tests every persistent store passes, against a real server (or, for Consul, a server
// speaking its API) on loopback. Each store's harness writes and reads Relay Proxy's layout
// directly through the server's own protocol, never through the store under test.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AllData } from '../../src/wire.js';
import type { LDLogger } from '../../src/logging.js';
import type { PersistentDataStore } from '../../src/data/persistentStore.js';
import { recordingLogger } from '../helpers/logger.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { init, silentLoggerForTests, type LDClient, type LDContext, type LDOptions } from '../helpers/sdk.js';

export type Kind = 'flags' | 'segments';

/** What a store's layout holds, items parsed: as Relay Proxy would have written it. */
export interface Layout {
  flags: Record<string, unknown>;
  segments: Record<string, unknown>;
  inited: boolean;
}

export interface StoreHarness {
  /** Starts the server; called once before the suite. */
  start(): Promise<void>;
  /** The store under test, on a fresh prefix. */
  makeStore(prefix: string | undefined, logger: LDLogger): PersistentDataStore & { close(): Promise<void> };
  /** Writes items and (optionally) the `$inited` marker in the store's exact keys. */
  writeLayout(prefix: string | undefined, data: AllData, inited: boolean): Promise<void>;
  /** Writes one item's stored text as it is, valid or not. */
  writeRaw(prefix: string | undefined, kind: Kind, key: string, text: string): Promise<void>;
  /** Reads the layout back through the server's protocol. */
  readLayout(prefix: string | undefined): Promise<Layout>;
  /** Where an item lives, as the store's log lines should name it. */
  location(prefix: string | undefined, kind: Kind, key: string): string;
  /** Takes the server away for good. */
  stopServer(): Promise<void>;
}

const examples = JSON.parse(readFileSync(new URL('../../examples/flags.json', import.meta.url), 'utf8')) as AllData;

/** The example flags, plus a prerequisite, a second segment and a deleted flag's tombstone. */
export const DATA: AllData = {
  flags: {
    ...examples.flags,
    'needs-checkout': {
      key: 'needs-checkout',
      version: 7,
      on: true,
      prerequisites: [{ key: 'new-checkout', variation: 0 }],
      fallthrough: { variation: 1 },
      offVariation: 0,
      variations: ['no', 'yes'],
      salt: 'n',
    },
    'in-staff': {
      key: 'in-staff',
      version: 2,
      on: true,
      rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['staff'] }], variation: 1 }],
      fallthrough: { variation: 0 },
      variations: [false, true],
      salt: 's',
    },
    gone: { key: 'gone', version: 9, deleted: true } as AllData['flags'][string],
  },
  segments: {
    ...examples.segments,
    staff: { key: 'staff', version: 4, included: ['alice'], excludedContexts: [], rules: [], salt: 'x' },
  },
};

const CONTEXTS: LDContext[] = [
  { kind: 'user', key: 'alice' },
  { kind: 'user', key: 'bob', groups: ['beta'], country: 'de' },
  { kind: 'user', key: 'carol', email: 'carol@example.com', plan: 'paid' },
  { kind: 'multi', user: { key: 'dave' }, org: { key: 'acme', tier: 'gold' } },
  { key: 'legacy-erin', custom: { groups: ['beta'] } },
];

const FLAG_KEYS = [...Object.keys(DATA.flags), 'missing'];

/** Every flag's detail for every context, and the all-flags state, as one comparable value. */
function evaluations(client: LDClient): unknown {
  return CONTEXTS.map((context) => ({
    details: FLAG_KEYS.map((key) => client.variationDetail(key, context, 'default')),
    all: client.allFlagsState(context, { withReasons: true }).toJSON(),
  }));
}

/** The layout Relay Proxy writes for `data`: every item, tombstones included, and the marker. */
function layoutOf(data: AllData): Layout {
  return { flags: { ...data.flags }, segments: { ...data.segments }, inited: true };
}

let prefixes = 0;

export function describeStore(name: string, harness: StoreHarness, { defaultPrefix }: { defaultPrefix: string | undefined }): void {
  describe(`${name} store`, () => {
    const closing: Array<() => Promise<unknown>> = [];
    const client = (options: LDOptions) => {
      const c = init('sdk-key', { sendEvents: false, logger: silentLoggerForTests, ...options });
      closing.push(() => c.close());
      return c;
    };
    const store = (prefix: string | undefined, logger: LDLogger = silentLoggerForTests) => {
      const s = harness.makeStore(prefix, logger);
      closing.push(() => s.close());
      return s;
    };
    const freshPrefix = () => `test${++prefixes}`;

    beforeAll(() => harness.start(), 60_000);
    afterEach(async () => {
      for (const close of closing.splice(0)) await close();
    });

    for (const prefix of [undefined, 'relay-env']) {
      it(`reads a Relay-written layout (prefix ${prefix ?? `default, ${defaultPrefix ?? 'none'}`}) in daemon mode as the same data inline`, async () => {
        const p = prefix === undefined ? undefined : freshPrefix();
        await harness.writeLayout(p, DATA, true);
        const daemon = client({ useLdd: true, featureStore: store(p) });
        await daemon.waitForInitialization({ timeout: 5 });
        const inline = client({ payload: DATA });
        expect(daemon.dataStatus()).toMatchObject({ source: 'store', lastError: undefined });
        expect(evaluations(daemon)).toEqual(evaluations(inline));
        // Not a vacuous comparison: flags do evaluate to values.
        expect(daemon.variationDetail('needs-checkout', { key: 'alice' }, 'default')).toMatchObject({ value: 'yes' });
        expect(daemon.variationDetail('in-staff', { key: 'alice' }, null).value).toBe(true);
        expect(daemon.variationDetail('gone', { key: 'alice' }, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      });
    }

    it('in daemon mode evaluates what the store holds without the $inited marker, as LaunchDarkly SDKs do', async () => {
      const p = freshPrefix();
      await harness.writeLayout(p, DATA, false);
      expect((await harness.readLayout(p)).inited).toBe(false);
      const daemon = client({ useLdd: true, featureStore: store(p) });
      await daemon.waitForInitialization({ timeout: 5 });
      expect(evaluations(daemon)).toEqual(evaluations(client({ payload: DATA })));
      expect(daemon.variationDetail('needs-checkout', { key: 'alice' }, 'default')).toMatchObject({ value: 'yes' });
    });

    describe('written through from a LaunchDarkly stream', () => {
      let ld: MockLaunchDarkly;
      beforeAll(async () => {
        ld = await startMockLaunchDarkly();
      });
      afterAll(() => ld.close());

      it('produces the layout Relay Proxy writes, and keeps it current', async () => {
        const p = freshPrefix();
        // Something left from an older data set, which a full write replaces.
        await harness.writeLayout(p, { flags: { stale: { key: 'stale', version: 1, on: false } as never }, segments: {} }, false);
        ld.streams.setData(DATA);
        const logger = recordingLogger();
        const writer = client({ stream: true, streamUri: ld.baseUri, featureStore: store(p), logger });
        await writer.waitForInitialization({ timeout: 5 });
        let layout: Layout | undefined;
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
          layout = await harness.readLayout(p);
          if (layout.inited) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(logger.lines.filter((l) => !l.startsWith('debug'))).toEqual([]);
        expect(layout).toEqual(layoutOf(DATA));

        // A patch lands as one item; a delete as a tombstone.
        const changed = { ...DATA.flags['banner-text'], version: DATA.flags['banner-text'].version + 1, on: false };
        ld.streams.patch('flags', 'banner-text', changed);
        ld.streams.delete('segments', 'staff', 5);
        const expected = layoutOf({
          flags: { ...DATA.flags, 'banner-text': changed },
          segments: { ...DATA.segments, staff: { key: 'staff', version: 5, deleted: true } as never },
        });
        const until = Date.now() + 5000;
        while (Date.now() < until) {
          layout = await harness.readLayout(p);
          if (isDeepStrictEqual(layout, expected)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(layout).toEqual(expected);

        // And a daemon-mode reader of that layout evaluates as the writer does.
        const reader = client({ useLdd: true, featureStore: store(p) });
        await reader.waitForInitialization({ timeout: 5 });
        expect(evaluations(reader)).toEqual(evaluations(writer));
      });
    });

    it('never lets an older item overwrite a newer one', async () => {
      const p = freshPrefix();
      await harness.writeLayout(p, DATA, true);
      const s = store(p);
      const flag = (version: number, on: boolean) => JSON.stringify({ ...DATA.flags['banner-text'], version, on });
      const held = DATA.flags['banner-text'].version;
      await s.upsert!('flags', 'banner-text', held - 1, flag(held - 1, false));
      await s.upsert!('flags', 'banner-text', held, flag(held, false));
      expect((await harness.readLayout(p)).flags['banner-text']).toEqual(DATA.flags['banner-text']);
      await s.upsert!('flags', 'banner-text', held + 1, flag(held + 1, false));
      expect((await harness.readLayout(p)).flags['banner-text']).toMatchObject({ version: held + 1, on: false });
      // A tombstone counts as the item's version too.
      await s.upsert!('flags', 'gone', 8, JSON.stringify({ key: 'gone', version: 8, on: true }));
      expect((await harness.readLayout(p)).flags.gone).toEqual({ key: 'gone', version: 9, deleted: true });
      // A new key is written whatever its version.
      await s.upsert!('segments', 'fresh', 1, JSON.stringify({ key: 'fresh', version: 1 }));
      expect((await harness.readLayout(p)).segments.fresh).toEqual({ key: 'fresh', version: 1 });
      expect(await s.get('segments', 'fresh')).toBe(JSON.stringify({ key: 'fresh', version: 1 }));
    });

    it('logs an item it cannot use, naming where it is, and serves the rest', async () => {
      const p = freshPrefix();
      await harness.writeLayout(p, DATA, true);
      await harness.writeRaw(p, 'flags', 'broken', '{"key": "broken", "version": ');
      await harness.writeRaw(p, 'segments', 'odd', '[1, 2]');
      const logger = recordingLogger();
      const daemon = client({ useLdd: true, featureStore: store(p, logger), logger });
      await daemon.waitForInitialization({ timeout: 5 });
      // Flags and segments are read side by side: their lines come in either order.
      const errors = logger.lines.filter((l) => l.startsWith('error:')).sort();
      expect(errors).toEqual([
        expect.stringContaining(`flags item "broken" at ${harness.location(p, 'flags', 'broken')} is not valid JSON`),
        expect.stringContaining(`segments item "odd" at ${harness.location(p, 'segments', 'odd')} is not a JSON object`),
      ]);
      expect(daemon.variationDetail('broken', { key: 'u' }, 'd').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      expect(daemon.variation('needs-checkout', { key: 'alice' }, 'd')).toBe('yes');
    });

    // Last: it takes the server away.
    it('keeps the flags it holds when the server goes away, and says so in dataStatus()', async () => {
      const p = freshPrefix();
      await harness.writeLayout(p, DATA, true);
      const daemon = client({ useLdd: true, featureStore: store(p), cacheTtl: 0 });
      await daemon.waitForInitialization({ timeout: 5 });
      const before = evaluations(daemon);
      const loadedAt = daemon.dataStatus().loadedAt;
      await harness.stopServer();
      await daemon.waitForInitialization({ timeout: 10 });
      const status = daemon.dataStatus();
      expect(status.lastError).toMatch(/^store load failed: ./);
      expect(status.loadedAt).toBe(loadedAt);
      expect(evaluations(daemon)).toEqual(before);
    }, 20_000);
  });
}
