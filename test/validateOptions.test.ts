// Configuration: defaults, validation messages, and the documented table kept true to the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeConfig, nearestOption, OPTION_SPECS } from '../src/validateOptions.js';
import { recordingLogger } from './helpers/logger.js';


describe('configuration', () => {
  it('has LaunchDarkly-like defaults', () => {
    const config = makeConfig('sdk-key', { logger: recordingLogger() });
    expect(config.baseUri).toBe('https://sdk.launchdarkly.com');
    expect(config.streamUri).toBe('https://stream.launchdarkly.com');
    expect(config.eventsUri).toBe('https://events.launchdarkly.com');
    expect(config.http.connectTimeoutMs).toBe(10_000);
    expect(config.http.readTimeoutMs).toBe(15_000);
    expect(config.stream).toBe(false);
    expect(config.pollIntervalMs).toBeUndefined();
    expect(config.sendEvents).toBe(true);
    expect(config.capacity).toBe(10_000);
    expect(config.flushIntervalMs).toBeUndefined();
    expect(config.contextKeysCapacity).toBe(1000);
    expect(config.contextKeysFlushIntervalMs).toBe(300_000);
    expect(config.cacheTtlMs).toBe(30_000);
  });

  it('names the option and the expected type for a bad value, and uses the default (in the order options are listed)', () => {
    const logger = recordingLogger();
    const config = makeConfig('k', {
      logger,
      stream: 'yes' as never,
      connectTimeout: '5' as never,
      privateAttributes: ['a', 1] as never,
      baseUri: 'ftp://nope',
    });
    expect(config.stream).toBe(false);
    expect(config.http.connectTimeoutMs).toBe(10_000);
    expect(logger.lines).toEqual([
      'warn: option "baseUri" must be an http(s) URL, got "ftp://nope"; using https://sdk.launchdarkly.com',
      'warn: option "connectTimeout" must be a number, got "5"; using 10',
      'warn: option "stream" must be true or false, got "yes"; using false',
      'warn: option "privateAttributes" must be an array of strings, got an array; it is ignored',
    ]);
  });

  it('warns about unknown options with the nearest known name', () => {
    const logger = recordingLogger();
    makeConfig('k', { logger, flushInterva: 5, send_events: false, zzzzzzzzzz: 1 } as never);
    expect(logger.lines).toEqual([
      'warn: unknown option "flushInterva" is ignored; did you mean "flushInterval"?',
      'warn: unknown option "send_events" is ignored; did you mean "sendEvents"?',
      'warn: unknown option "zzzzzzzzzz" is ignored',
    ]);
    expect(nearestOption('base_uri')).toBe('baseUri');
  });

  it('refuses components that cannot work, naming the option', () => {
    expect(() => makeConfig('', {})).toThrow(/sdkKey must be a non-empty string/);
    expect(() => makeConfig('k', { logger: { warn() {} } as never })).toThrow(/option "logger" must be an object with debug\(\)/);
    expect(() => makeConfig('k', { kvStore: {} as never, clientSideId: 'x' })).toThrow(/option "kvStore" must be an object with get\(\)/);
    expect(() => makeConfig('k', { useLdd: true })).toThrow(/"useLdd" needs "featureStore"/);
    expect(() => makeConfig('k', { payload: '{}', kvStore: new Map(), clientSideId: 'x' })).toThrow(
      /"payload" and "kvStore" each choose the flag source/,
    );
  });

  it('offline needs no SDK key and never sends events', () => {
    const config = makeConfig('', { offline: true, logger: recordingLogger() });
    expect(config.sendEvents).toBe(false);
  });

  it('builds tags and the wrapper header value', () => {
    const logger = recordingLogger();
    const config = makeConfig('k', {
      logger,
      application: { id: 'my app', version: '1.0' },
      wrapperName: 'w',
    });
    expect(config.http.headers['X-LaunchDarkly-Tags']).toBe('application-version/1.0');
    expect(config.http.headers['X-LaunchDarkly-Wrapper']).toBe('w');
    expect(logger.lines[0]).toMatch(/option "application.id" must be at most 64 letters/);
  });
});

describe('the configuration table (docs/configuration.md)', () => {
  const page = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf('# Configuration'));
  const rows = section
    .split('\n')
    .filter((line) => /^\| `\w+` \|/.test(line))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim()));
  const byName = new Map(rows.map((cells) => [cells[0].replace(/`/g, ''), cells]));

  it('lists every option exactly once, and nothing else', () => {
    expect([...byName.keys()].sort()).toEqual(Object.keys(OPTION_SPECS).sort());
    expect(rows).toHaveLength(byName.size);
  });

  for (const [name, [, fallback, min]] of Object.entries(OPTION_SPECS)) {
    it(`${name}: the default matches the code`, () => {
      const cells = byName.get(name);
      expect(cells).toBeDefined();
      const [, , defaultCell, pythonCell] = cells!;
      if (fallback === undefined) expect(defaultCell.startsWith('`')).toBe(false);
      else expect(defaultCell).toBe(`\`${String(fallback)}\``);
      expect(pythonCell).not.toBe('');
      if (min !== undefined && min >= 30) expect(cells![1]).toContain(`at least ${min}`);
    });
  }
});
