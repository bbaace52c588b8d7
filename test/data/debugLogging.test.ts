// Debug lines of the long-lived data paths: what was loaded and read, never the SDK key.
import { afterEach, describe, expect, it } from 'vitest';
import { init, InMemoryPersistentStore, type LDLongLivedClient } from '../../src/index.js';
import { startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { recordingLogger } from '../helpers/logger.js';

const SDK_KEY = 'sdk-debug-lines';
const flag = { key: 'f', version: 1, on: true, offVariation: 0, fallthrough: { variation: 1 }, variations: [false, true], salt: 's' };

let ld: MockLaunchDarkly | undefined;
let client: LDLongLivedClient | undefined;
afterEach(async () => {
  await client?.close();
  await ld?.close();
  client = ld = undefined;
});

describe('debug logging', () => {
  it('the polling loop says how much each poll loaded', async () => {
    ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
    ld.polling.setData({ flags: { f: flag }, segments: {} });
    const logger = recordingLogger();
    client = init(SDK_KEY, { pollInterval: 30, baseUri: ld.baseUri, sendEvents: false, logger });
    await client.waitForInitialization();
    await waitFor(() => logger.lines.some((l) => l.startsWith('debug: poll')), 'the debug line');
    expect(logger.lines).toContain('debug: poll: loaded 1 flags and 0 segments');
    for (const line of logger.lines) expect(line).not.toContain(SDK_KEY);
  });

  it('daemon mode says what it reads from the store, and nothing for items it holds fresh', async () => {
    const store = new InMemoryPersistentStore();
    await store.init({ flags: { f: JSON.stringify(flag) }, segments: {} });
    const logger = recordingLogger();
    client = init(SDK_KEY, { useLdd: true, featureStore: store, sendEvents: false, cacheTtl: 60, logger });
    await client.waitForInitialization();
    expect(logger.lines).toContain('debug: persistent store: read 1 flags and 0 segments');
    const before = logger.lines.length;
    expect(client.boolVariation('f', { key: 'u' }, false)).toBe(true);
    expect(logger.lines.slice(before)).toEqual([]);
    await client.prefetch('missing');
    expect(logger.lines.slice(before)).toEqual([
      'debug: persistent store: reading flags "missing" (not held, or older than cacheTtl)',
    ]);
  });
});
