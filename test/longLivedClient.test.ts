// Flag-change listeners and the data-source status provider of the long-lived client (`ldedge`,
// `ldedge/node`), over TestData, a loopback stream and polls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { init, TestData, type LDDataSourceStatus, type LDFlagChange, type LDLongLivedClient } from '../src/index.js';
import { init as initNode } from '../runtimes/node/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from './helpers/mockLaunchDarkly.js';
import { silentLoggerForTests } from './helpers/sdk.js';

const SDK_KEY = 'sdk-long-lived';
const ann = { kind: 'user', key: 'ann' };

function flag(key: string, version: number, value: boolean, extra: Record<string, unknown> = {}) {
  return { key, version, on: true, offVariation: 0, fallthrough: { variation: value ? 1 : 0 }, variations: [false, true], salt: 's', ...extra };
}

const ticks = () => new Promise((resolve) => setTimeout(resolve, 0));

let clients: LDLongLivedClient[];
beforeEach(() => {
  clients = [];
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function track<T extends LDLongLivedClient>(client: T): T {
  clients.push(client);
  return client;
}

describe('flag-change listeners', () => {
  it('hear each changed flag on "update" and "update:<key>", after the change is applied', async () => {
    const td = new TestData();
    td.update(td.flag('a').booleanFlag().variationForAll(false));
    td.update(td.flag('b').booleanFlag().variationForAll(false));
    const client = track(init('sdk-key', { dataSource: td, sendEvents: false }));
    await client.waitForInitialization();
    const all: string[] = [];
    const onlyA: Array<[LDFlagChange, boolean]> = [];
    client.on('update', (change) => all.push(change.key));
    client.on('update:a', (change) => onlyA.push([change, client.boolVariation('a', ann, false)]));

    td.update(td.flag('a').booleanFlag().variationForAll(true));
    await ticks();
    expect(all).toEqual(['a']);
    expect(onlyA).toEqual([[{ key: 'a' }, true]]);

    td.update(td.flag('b').booleanFlag().variationForAll(true));
    await ticks();
    expect(all).toEqual(['a', 'b']);
    expect(onlyA).toHaveLength(1);
  });

  it('hear the flags that depend on a changed prerequisite or segment, and not the others', async () => {
    const ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
    try {
      const segment = { key: 'beta', version: 1, included: ['ann'], excluded: [], rules: [], salt: 's' };
      const usesSegment = flag('uses-segment', 1, false, {
        rules: [{ id: 'r', variation: 1, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['beta'], negate: false }] }],
      });
      const base = flag('base', 1, true);
      const dependent = flag('dependent', 1, true, { prerequisites: [{ key: 'base', variation: 1 }] });
      const dependentOfDependent = flag('grandchild', 1, true, { prerequisites: [{ key: 'dependent', variation: 1 }] });
      const unrelated = flag('unrelated', 1, true);
      ld.streams.setData({
        flags: { 'uses-segment': usesSegment, base, dependent, grandchild: dependentOfDependent, unrelated },
        segments: { beta: segment },
      });
      const client = track(init(SDK_KEY, { stream: true, streamUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests }));
      await client.waitForInitialization();
      const heard: string[] = [];
      client.on('update', ({ key }) => heard.push(key));

      ld.streams.patch('flags', 'base', flag('base', 2, false));
      await waitFor(() => heard.length >= 3, 'the prerequisite change');
      await ticks();
      expect(heard.sort()).toEqual(['base', 'dependent', 'grandchild']);

      heard.length = 0;
      ld.streams.patch('segments', 'beta', { ...segment, version: 2, included: [] });
      await waitFor(() => heard.length >= 1, 'the segment change');
      await ticks();
      expect(heard).toEqual(['uses-segment']);

      // Not newer than what is held: not a change.
      heard.length = 0;
      ld.streams.patch('flags', 'unrelated', flag('unrelated', 1, false));
      ld.streams.patch('flags', 'unrelated', flag('unrelated', 3, false));
      await waitFor(() => heard.length >= 1, 'the newer patch');
      await ticks();
      expect(heard).toEqual(['unrelated']);

      // A full data set: what it adds, removes or changes.
      heard.length = 0;
      ld.streams.put({ flags: { base: flag('base', 2, false), dependent, grandchild: dependentOfDependent, unrelated: flag('unrelated', 3, false), added: flag('added', 1, true) }, segments: { beta: { ...segment, version: 2, included: [] } } });
      await waitFor(() => heard.length >= 2, 'the put');
      await ticks();
      expect(heard.sort()).toEqual(['added', 'uses-segment']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await ld.close();
    }
  });

  it('hear every flag of the first data set, as each is new to the client', async () => {
    const td = new TestData();
    td.update(td.flag('a').booleanFlag().variationForAll(false));
    td.update(td.flag('b').booleanFlag().variationForAll(true));
    const client = track(init('sdk-key', { dataSource: td, sendEvents: false }));
    const heard: string[] = [];
    client.on('update', ({ key }) => heard.push(key));
    await client.waitForInitialization();
    await ticks();
    expect(heard.sort()).toEqual(['a', 'b']);
  });

  it('off() removes a listener; a listener that throws is logged and the others still run', async () => {
    const td = new TestData();
    const lines: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => lines.push(m) };
    const client = track(init('sdk-key', { dataSource: td, sendEvents: false, logger }));
    await client.waitForInitialization();
    const heard: string[] = [];
    const removed = () => heard.push('removed');
    client.on('update', () => {
      throw new Error('boom');
    });
    client.on('update', ({ key }) => heard.push(key));
    client.on('update:x', removed).off('update:x', removed);
    td.update(td.flag('x').booleanFlag().variationForAll(true));
    await ticks();
    expect(heard).toEqual(['x']);
    expect(lines).toEqual(['an "update" listener threw: boom']);
    expect(() => client.on('change' as 'update', () => {})).toThrow('event must be "update" or "update:<flag key>", got "change"');
  });
});

describe('data source status provider', () => {
  let ld: MockLaunchDarkly;
  beforeEach(async () => {
    ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
    ld.streams.setData({ flags: { f: flag('f', 1, true) }, segments: {} });
    ld.polling.setData({ flags: { f: flag('f', 1, true) }, segments: {} });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await ld.close();
  });

  it('streaming: INITIALIZING, VALID, INTERRUPTED with the error, VALID again, OFF when refused', async () => {
    ld.streams.failNext(503);
    const client = track(
      initNode(SDK_KEY, { streamUri: ld.baseUri, eventsUri: ld.baseUri, initialReconnectDelay: 0.01, logger: silentLoggerForTests }),
    );
    const provider = client.dataSourceStatusProvider;
    const seen: LDDataSourceStatus[] = [];
    provider.addListener((status) => seen.push(status));
    expect(provider.getStatus().state).toBe('INITIALIZING');
    await client.waitForInitialization();
    // The failure before the first data set left it INITIALIZING, with the error kept.
    expect(seen.map((s) => s.state)).toEqual(['INITIALIZING', 'VALID']);
    expect(seen[0].lastError).toMatchObject({ kind: 'ERROR_RESPONSE', statusCode: 503, message: 'HTTP 503' });
    expect(provider.getStatus()).toMatchObject({ state: 'VALID', lastError: { statusCode: 503 } });

    ld.streams.failNext(500);
    ld.streams.drop();
    await waitFor(() => provider.getStatus().state === 'INTERRUPTED', 'INTERRUPTED');
    expect(provider.getStatus().lastError?.kind).toBe('NETWORK_ERROR');
    await waitFor(() => seen.some((s) => s.lastError?.statusCode === 500), 'the 500');
    expect(provider.getStatus().state).toBe('INTERRUPTED');
    await waitFor(() => provider.getStatus().state === 'VALID', 'VALID again');

    ld.streams.failNext(401, 5);
    ld.streams.drop();
    await waitFor(() => provider.getStatus().state === 'OFF', 'OFF');
    expect(provider.getStatus().lastError).toMatchObject({ kind: 'ERROR_RESPONSE', statusCode: 401 });
  });

  it('close() turns it OFF', async () => {
    const client = track(init(SDK_KEY, { stream: true, streamUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests }));
    await client.waitForInitialization();
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    await client.close();
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('OFF');
  });

  it('polling loop: a failed first poll keeps it INITIALIZING with the status code', async () => {
    ld.polling.failNext(503);
    const client = track(init(SDK_KEY, { pollInterval: 30, baseUri: ld.baseUri, sendEvents: false, logger: silentLoggerForTests }));
    await waitFor(() => client.dataSourceStatusProvider.getStatus().lastError !== undefined, 'the failed poll');
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({
      state: 'INITIALIZING',
      lastError: { kind: 'ERROR_RESPONSE', statusCode: 503 },
    });
  });

  it('polling on demand: the state follows the last load', async () => {
    const client = track(init(SDK_KEY, { baseUri: ld.baseUri, cacheTtl: 0, sendEvents: false, logger: silentLoggerForTests }));
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('INITIALIZING');
    await client.waitForInitialization();
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({ state: 'VALID', lastError: undefined });
    ld.polling.failNext(500);
    await client.waitForInitialization();
    expect(client.dataSourceStatusProvider.getStatus()).toMatchObject({ state: 'INTERRUPTED', lastError: { message: expect.stringContaining('500') } });
    expect(init('k', { offline: true }).dataSourceStatusProvider.getStatus().state).toBe('OFF');
  });
});
