// The streaming data source against a loopback LaunchDarkly: updates reach a real DataSet,
// and every way a connection can fail leads to a retry with backoff, or to a clean stop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, backoffDelay } from '../../src/data/backoff.js';
import { DataSet } from '../../src/data/dataSet.js';
import { parseAllData } from '../../src/data/parseAllData.js';
import { applyStreamMessage } from '../../src/data/streamMessages.js';
import { StreamingDataSource, type StreamingOptions } from '../../src/data/streaming.js';
import type { DataKind, DataSourceUpdates } from '../../src/data/types.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { sdkHeaders } from '../../src/http.js';
import { isContextError, toContext } from '../../src/context.js';
import type { LDLogger } from '../../src/logging.js';
import type { AllData, FlagData, SegmentData } from '../../src/wire.js';
import { sleep, startMockLaunchDarkly, waitFor, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';

const SDK_KEY = 'sdk-0123-secret-key';

function flag(key: string, version: number, value: string): FlagData {
  return { key, version, on: true, fallthrough: { variation: 0 }, offVariation: 0, variations: [value], salt: 's' };
}

function segment(key: string, version: number): SegmentData {
  return { key, version, included: ['u'], salt: 's' };
}

function data(flags: FlagData[], segments: SegmentData[] = []): AllData {
  return {
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: Object.fromEntries(segments.map((s) => [s.key, s])),
  };
}

/** Applies updates to a DataSet as the client does, and records what it was asked to do. */
class Receiver implements DataSourceUpdates {
  dataSet = DataSet.empty();
  readonly calls: string[] = [];

  init(all: AllData): void {
    this.calls.push('init');
    this.dataSet = DataSet.from(parseAllData(all, 'flag data'));
  }

  upsert(kind: DataKind, key: string, item: FlagData | SegmentData): void {
    this.calls.push(`upsert ${kind}/${key}@${item.version}`);
    this.dataSet.upsert(kind, key, item);
  }

  /** The flag's value for a plain user, or undefined when the flag is absent or deleted. */
  value(key: string): unknown {
    const prepared = this.dataSet.flag(key);
    if (!prepared) return undefined;
    const context = toContext({ kind: 'user', key: 'u' });
    if (isContextError(context)) throw new Error(context);
    return new Evaluator(this.dataSet).evaluate(prepared, context).value;
  }

  item(kind: DataKind, key: string): unknown {
    return this.dataSet.item(kind, key);
  }
}

type Level = keyof LDLogger;

class CapturingLogger implements LDLogger {
  readonly lines: { level: Level; message: string }[] = [];
  debug(message: string) {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string) {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string) {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string) {
    this.lines.push({ level: 'error', message });
  }
  at(level: Level): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

interface Setup {
  sdkKey?: string;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  initialReconnectDelayMs?: number;
  random?: () => number;
  maxReconnectDelayMs?: number;
  streamUri?: string;
}

let ld: MockLaunchDarkly;
const sources: StreamingDataSource[] = [];
const loggers: CapturingLogger[] = [];

beforeEach(async () => {
  ld = await startMockLaunchDarkly({ sdkKey: SDK_KEY });
});

afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  await ld.close();
  // Whatever happened, the SDK key must never reach a log line.
  for (const logger of loggers.splice(0)) {
    for (const line of logger.lines) expect(line.message).not.toContain(SDK_KEY);
  }
});

function makeSource(setup: Setup = {}) {
  const logger = new CapturingLogger();
  loggers.push(logger);
  const options: StreamingOptions = {
    http: {
      fetch: (input, init) => fetch(input, init),
      headers: sdkHeaders(setup.sdkKey ?? SDK_KEY, 'my-wrapper/1.2', 'application-id/my-app application-version/3'),
      connectTimeoutMs: setup.connectTimeoutMs ?? 5000,
      // Long enough that the mock's lack of heartbeats never matters unless a test wants it to.
      readTimeoutMs: setup.readTimeoutMs ?? 30_000,
    },
    streamUri: setup.streamUri ?? ld.baseUri,
    initialReconnectDelayMs: setup.initialReconnectDelayMs ?? 10,
    logger,
    random: setup.random ?? (() => 0.5),
    maxReconnectDelayMs: setup.maxReconnectDelayMs,
  };
  const source = new StreamingDataSource(options);
  sources.push(source);
  return { source, logger, receiver: new Receiver() };
}

describe('StreamingDataSource: data', () => {
  it('connects with LaunchDarkly headers and resolves start on the first put', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')], [segment('s', 1)]));
    const { source, receiver } = makeSource();
    await source.start(receiver);
    expect(receiver.value('f')).toBe('one');
    expect(receiver.item('segments', 's')).toMatchObject({ key: 's', version: 1 });

    const requests = ld.requestsTo('/all');
    expect(requests).toHaveLength(1);
    const headers = requests[0].headers;
    expect(requests[0].method).toBe('GET');
    expect(headers.authorization).toBe(SDK_KEY);
    expect(headers.accept).toBe('text/event-stream');
    expect(headers['user-agent']).toMatch(/^ldedge\/\d+\.\d+\.\d+/);
    expect(headers['x-launchdarkly-wrapper']).toBe('my-wrapper/1.2');
    expect(headers['x-launchdarkly-tags']).toBe('application-id/my-app application-version/3');
  });

  it('waits for a put before resolving start, and accepts one without the path wrapper', async () => {
    const { source, receiver } = makeSource();
    let started = false;
    const starting = source.start(receiver).then(() => (started = true));
    await waitFor(() => ld.streams.openCount === 1, 'the stream to open');
    ld.streams.comment('heartbeat');
    ld.streams.patch('flags', 'early', flag('early', 1, 'x'));
    await waitFor(() => receiver.calls.length === 1, 'the patch');
    expect(started).toBe(false);
    ld.streams.send('put', data([flag('f', 1, 'bare')]));
    await starting;
    expect(receiver.value('f')).toBe('bare');
    expect(receiver.value('early')).toBeUndefined();
  });

  it('applies patches and deletes only when their version is newer, keeping tombstones', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')], [segment('s', 1)]));
    const { source, receiver } = makeSource();
    await source.start(receiver);
    // Events arrive in order, so once the last one is applied all before it have been handled.
    const sendAndSettle = async (send: () => void) => {
      const before = receiver.calls.length;
      send();
      await waitFor(() => receiver.calls.length === before + 1, 'the update');
    };

    await sendAndSettle(() => ld.streams.patch('flags', 'f', flag('f', 3, 'three')));
    expect(receiver.value('f')).toBe('three');
    await sendAndSettle(() => ld.streams.patch('flags', 'f', flag('f', 2, 'two')));
    expect(receiver.value('f')).toBe('three');

    await sendAndSettle(() => ld.streams.delete('flags', 'f', 4));
    expect(receiver.value('f')).toBeUndefined();
    expect(receiver.item('flags', 'f')).toEqual({ key: 'f', version: 4, deleted: true });
    await sendAndSettle(() => ld.streams.patch('flags', 'f', flag('f', 3, 'late')));
    await sendAndSettle(() => ld.streams.patch('flags', 'f', flag('f', 4, 'same')));
    await sendAndSettle(() => ld.streams.delete('flags', 'f', 2));
    expect(receiver.item('flags', 'f')).toEqual({ key: 'f', version: 4, deleted: true });
    await sendAndSettle(() => ld.streams.patch('flags', 'f', flag('f', 5, 'five')));
    expect(receiver.value('f')).toBe('five');

    await sendAndSettle(() => ld.streams.patch('flags', 'new', flag('new', 1, 'fresh')));
    expect(receiver.value('new')).toBe('fresh');

    await sendAndSettle(() => ld.streams.delete('segments', 's', 3));
    await sendAndSettle(() => ld.streams.patch('segments', 's', segment('s', 2)));
    expect(receiver.item('segments', 's')).toEqual({ key: 's', version: 3, deleted: true });

    // Versions are passed through untouched; ordering is the receiver's job.
    expect(receiver.calls).toEqual([
      'init',
      'upsert flags/f@3',
      'upsert flags/f@2',
      'upsert flags/f@4',
      'upsert flags/f@3',
      'upsert flags/f@4',
      'upsert flags/f@2',
      'upsert flags/f@5',
      'upsert flags/new@1',
      'upsert segments/s@3',
      'upsert segments/s@2',
    ]);
  });

  it('tells at debug level what it does: connecting, each update applied', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    ld.streams.patch('flags', 'f', flag('f', 2, 'two'));
    await waitFor(() => receiver.value('f') === 'two', 'the patch');
    const debug = logger.at('debug');
    expect(debug[0]).toBe(`Stream: connected to ${ld.baseUri}/all`);
    expect(debug.slice(1).map((line) => line.replace(/\(\d+ bytes\)/, '(n bytes)'))).toEqual([
      'Stream: applied "put" (n bytes)',
      'Stream: applied "patch" (n bytes)',
    ]);
  });

  it('ignores unknown events, unknown paths and comments', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    ld.streams.comment();
    ld.streams.send('ping', '');
    ld.streams.send('patch', { path: '/big-segments/x', data: { key: 'x', version: 9 } });
    ld.streams.send('delete', { path: '/unknown/x', version: 9 });
    ld.streams.raw('data: no event name\n\n');
    ld.streams.patch('flags', 'f', flag('f', 2, 'two'));
    await waitFor(() => receiver.value('f') === 'two', 'the patch after the ignored messages');
    expect(receiver.calls).toEqual(['init', 'upsert flags/f@2']);
    expect(logger.at('debug').join('\n')).toContain('/big-segments/x');
    expect(logger.at('warn')).toEqual([]);
    expect(ld.streams.connections).toBe(1);
  });
});

describe('StreamingDataSource: reconnecting', () => {
  it('reconnects when the server ends or drops the stream, and the next put replaces the data', async () => {
    ld.streams.setData(data([flag('a', 1, 'a1'), flag('b', 1, 'b1')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    expect(receiver.value('a')).toBe('a1');

    ld.streams.setData(data([flag('b', 2, 'b2')]));
    expect(ld.streams.end()).toBe(1);
    await waitFor(() => receiver.value('b') === 'b2', 'the put after reconnecting');
    expect(receiver.value('a')).toBeUndefined();
    expect(ld.streams.connections).toBe(2);

    ld.streams.setData(data([flag('c', 1, 'c1')]));
    await waitFor(() => ld.streams.openCount === 1, 'the second stream');
    expect(ld.streams.drop()).toBe(1);
    await waitFor(() => receiver.value('c') === 'c1', 'the put after a dropped connection');
    expect(receiver.value('b')).toBeUndefined();
    expect(ld.streams.connections).toBe(3);
    expect(logger.at('warn')).toHaveLength(2);
    expect(logger.at('error')).toEqual([]);
  });

  it('retries after 500 and 503 responses until a connection succeeds', async () => {
    ld.streams.failNext(500);
    ld.streams.failNext(503);
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    expect(receiver.value('f')).toBe('one');
    expect(ld.streams.connections).toBe(3);
    const warnings = logger.at('warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('HTTP 500');
    expect(warnings[1]).toContain('HTTP 503');
  });

  it.each([400, 408, 429])('treats HTTP %i as recoverable', async (status) => {
    ld.streams.failNext(status);
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver } = makeSource();
    await source.start(receiver);
    expect(ld.streams.connections).toBe(2);
  });

  it('reconnects when the stream goes silent for the read timeout', async () => {
    ld.streams.silenceNext(1);
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource({ readTimeoutMs: 150 });
    await source.start(receiver);
    expect(receiver.value('f')).toBe('one');
    // More than two only if the machine is too loaded to answer within the timeout.
    expect(ld.streams.connections).toBeGreaterThanOrEqual(2);
    expect(logger.at('warn')[0]).toContain('no data for 150 ms');
  });

  it('keeps a stream that sends heartbeats within the read timeout', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver } = makeSource({ readTimeoutMs: 500 });
    await source.start(receiver);
    const heartbeat = setInterval(() => ld.streams.comment(), 40);
    try {
      await sleep(1200);
    } finally {
      clearInterval(heartbeat);
    }
    expect(ld.streams.connections).toBe(1);
  });

  it('retries when response headers do not arrive within the connect timeout', async () => {
    ld.streams.hangNext(1);
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource({ connectTimeoutMs: 150 });
    await source.start(receiver);
    expect(receiver.value('f')).toBe('one');
    expect(ld.streams.connections).toBeGreaterThanOrEqual(2);
    expect(logger.at('warn')[0]).toContain('timed out after 150 ms');
  });

  it('retries after a network error', async () => {
    // A port that was just free: nothing listens there.
    const gone = await startMockLaunchDarkly();
    const uri = gone.baseUri;
    await gone.close();
    const { source, receiver, logger } = makeSource({ streamUri: uri, random: () => 0 });
    let settled = false;
    source.start(receiver).then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => logger.at('warn').length >= 3, 'repeated connection failures');
    expect(logger.at('warn')[0]).toMatch(/Stream connection failed/);
    expect(settled).toBe(false);
    expect(logger.at('error')).toEqual([]);
  });
});

describe('StreamingDataSource: malformed messages', () => {
  const cases: [string, string][] = [
    ['patch', '{"path": "/flags/f", "data": {"key": "f", "version": 9'],
    ['patch', '{"path": "/flags/f"}'],
    ['patch', '{"data": {"key": "f", "version": 9}}'],
    ['patch', '[1, 2]'],
    ['delete', '{"path": "/flags/f"}'],
    ['delete', '{"path": "/flags/f", "version": "9"}'],
    ['put', 'not json'],
    ['put', '{"path": "/", "data": {"flags": []}}'],
    ['put', '{"path": "/"}'],
    ['put', '{}'],
  ];

  it.each(cases)('a %s of %s restarts the stream and leaves the data held alone', async (event, body) => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    // The next connection gets no put, so anything seen after it came from the bad message.
    ld.streams.setData(undefined);
    ld.streams.send(event, body);
    await waitFor(() => ld.streams.connections === 2, 'a reconnection');
    expect(receiver.calls).toEqual(['init']);
    expect(receiver.value('f')).toBe('one');
    expect(logger.at('warn')).toEqual([expect.stringContaining('invalid data')]);

    // The new stream works as usual.
    await waitFor(() => ld.streams.openCount === 1, 'the new stream');
    ld.streams.patch('flags', 'f', flag('f', 2, 'two'), { to: 'latest' });
    await waitFor(() => receiver.value('f') === 'two', 'a patch on the new stream');
  });

  it('ignores whatever follows a bad message in the same chunk', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver } = makeSource();
    await source.start(receiver);
    ld.streams.setData(undefined);
    const good = JSON.stringify({ path: '/flags/f', data: flag('f', 2, 'two') });
    ld.streams.raw(`event: patch\ndata: {oops\n\nevent: patch\ndata: ${good}\n\n`);
    await waitFor(() => ld.streams.connections === 2, 'a reconnection');
    await sleep(50);
    expect(receiver.calls).toEqual(['init']);
    expect(receiver.value('f')).toBe('one');
  });
});

describe('StreamingDataSource: giving up', () => {
  it.each([401, 403, 404])('stops for good on HTTP %i, rejecting start and logging one error', async (status) => {
    ld.streams.failNext(status, 10);
    const { source, receiver, logger } = makeSource({ initialReconnectDelayMs: 5 });
    await expect(source.start(receiver)).rejects.toThrow(String(status));
    expect(logger.at('error')).toHaveLength(1);
    expect(logger.at('error')[0]).toContain(`HTTP ${status}`);
    await sleep(300);
    expect(ld.streams.connections).toBe(1);
    expect(logger.at('error')).toHaveLength(1);
    expect(receiver.calls).toEqual([]);
  });

  it('stops for good when LaunchDarkly refuses the SDK key, without logging it', async () => {
    const { source, receiver, logger } = makeSource({ sdkKey: 'sdk-wrong-key-456' });
    await expect(source.start(receiver)).rejects.toThrow(/401/);
    await sleep(200);
    expect(ld.streams.connections).toBe(1);
    const all = logger.lines.map((l) => l.message).join('\n');
    expect(all).not.toContain('sdk-wrong-key-456');
  });

  it('stops after a 401 on a later reconnection, keeping the data it has', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    ld.streams.failNext(401, 10);
    ld.streams.end();
    await waitFor(() => logger.at('error').length === 1, 'the error');
    await sleep(200);
    expect(ld.streams.connections).toBe(2);
    expect(receiver.value('f')).toBe('one');
  });
});

describe('StreamingDataSource: close', () => {
  it('closes an open stream and makes no further requests', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource();
    await source.start(receiver);
    source.close();
    await waitFor(() => ld.streams.openCount === 0, 'the server to see the stream close');
    const logged = logger.lines.length;
    await sleep(200);
    expect(ld.streams.connections).toBe(1);
    expect(logger.lines).toHaveLength(logged);
    expect(logger.at('warn')).toEqual([]);
  });

  it('closing while waiting to retry clears the retry timer and rejects a pending start', async () => {
    const setSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    try {
      ld.streams.failNext(500, 100);
      // A delay no other timer uses, so the retry timer can be picked out.
      const { source, receiver, logger } = makeSource({ initialReconnectDelayMs: 9876, random: () => 0 });
      const starting = source.start(receiver);
      await waitFor(() => logger.at('info').some((m) => m.includes('Reconnecting')), 'a scheduled retry');
      const index = setSpy.mock.calls.findIndex((call) => call[1] === 9876);
      expect(index).toBeGreaterThanOrEqual(0);
      const retryTimer = setSpy.mock.results[index].value;
      expect(clearSpy.mock.calls.some((call) => call[0] === retryTimer)).toBe(false);
      source.close();
      expect(clearSpy.mock.calls.some((call) => call[0] === retryTimer)).toBe(true);
      await expect(starting).rejects.toThrow(/closed/);
      const logged = logger.lines.length;
      await sleep(200);
      expect(ld.streams.connections).toBe(1);
      expect(logger.lines).toHaveLength(logged);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('closing while connecting aborts the request', async () => {
    ld.streams.hangNext(1);
    const { source, receiver, logger } = makeSource({ connectTimeoutMs: 5000 });
    const starting = source.start(receiver);
    await waitFor(() => ld.streams.connections === 1, 'the request to arrive');
    source.close();
    await expect(starting).rejects.toThrow(/closed/);
    await sleep(200);
    expect(ld.streams.connections).toBe(1);
    expect(logger.at('warn')).toEqual([]);
  });

  it('a source closed before start never connects', async () => {
    const { source, receiver } = makeSource();
    source.close();
    await expect(source.start(receiver)).rejects.toThrow(/closed/);
    await sleep(50);
    expect(ld.requests).toHaveLength(0);
  });

  it('start called twice shares one connection', async () => {
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver } = makeSource();
    const first = source.start(receiver);
    expect(source.start(receiver)).toBe(first);
    await first;
    expect(ld.streams.connections).toBe(1);
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const full = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 1000, 30_000, full))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(10_000, 1000, 30_000, full)).toBe(30_000);
  });

  it('jitters each delay to between half and all of it', () => {
    expect(backoffDelay(2, 1000, 30_000, () => 0.5)).toBe(3000);
    expect(backoffDelay(2, 1000, 30_000, () => 0.999999)).toBe(2000);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let attempt = 0; attempt < 8; attempt++) {
      const nominal = Math.min(1000 * 2 ** attempt, 30_000);
      const seen = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, 1000, 30_000, random);
        expect(delay).toBeGreaterThanOrEqual(nominal / 2);
        expect(delay).toBeLessThanOrEqual(nominal);
        seen.add(delay);
      }
      expect(seen.size).toBeGreaterThan(10);
    }
  });

  it('starts over once a connection has stayed up long enough', () => {
    let now = 0;
    const backoff = new Backoff({
      initialMs: 100,
      maxMs: 30_000,
      resetAfterMs: 60_000,
      random: () => 0,
      now: () => now,
    });
    expect([backoff.failed(), backoff.failed(), backoff.failed()]).toEqual([100, 200, 400]);
    backoff.connected();
    now += 59_999;
    expect(backoff.failed()).toBe(800);
    backoff.connected();
    now += 60_000;
    expect(backoff.failed()).toBe(100);
    expect(backoff.failed()).toBe(200);
  });

  it('the source waits longer between each failed attempt', async () => {
    ld.streams.failNext(503, 4);
    ld.streams.setData(data([flag('f', 1, 'one')]));
    const { source, receiver, logger } = makeSource({ initialReconnectDelayMs: 40, random: () => 0 });
    await source.start(receiver);
    expect(logger.at('info')).toEqual([
      'Reconnecting to the stream in 40 ms',
      'Reconnecting to the stream in 80 ms',
      'Reconnecting to the stream in 160 ms',
      'Reconnecting to the stream in 320 ms',
    ]);
    const times = ld.requestsTo('/all').map((r) => r.time);
    expect(times).toHaveLength(5);
    [40, 80, 160, 320].forEach((delay, i) => {
      // Timers never fire early; allow a millisecond for rounding between clocks.
      expect(times[i + 1] - times[i]).toBeGreaterThanOrEqual(delay - 1);
    });
  });
});

describe('applyStreamMessage', () => {
  const updates = () => {
    const calls: unknown[] = [];
    const recorder: DataSourceUpdates = {
      init: (all) => void calls.push(['init', all]),
      upsert: (...args) => void calls.push(args),
    };
    return { calls, updates: recorder };
  };

  it('reports what it ignored', () => {
    const { calls, updates: u } = updates();
    expect(applyStreamMessage('ping', '', u)).toEqual({ applied: 'ignored', reason: 'unknown event "ping"' });
    expect(applyStreamMessage(undefined, '{}', u)).toEqual({ applied: 'ignored', reason: 'unknown event "message"' });
    expect(applyStreamMessage('put', '{"path": "/flags", "data": {}}', u).applied).toBe('ignored');
    expect(applyStreamMessage('patch', '{"path": "/flags/", "data": {}}', u).applied).toBe('ignored');
    expect(calls).toEqual([]);
  });

  it('reads a put whose data has no path as a put for "/", as the contract harness sends it', () => {
    const { calls, updates: u } = updates();
    const f = flag('f', 1, 'one');
    expect(applyStreamMessage('put', JSON.stringify({ data: { flags: { f }, segments: {} } }), u)).toEqual({
      applied: 'put',
    });
    expect(calls).toEqual([['init', { flags: { f }, segments: {} }]]);
    expect(() => applyStreamMessage('put', '{"path": 3, "data": {}}', u)).toThrow(/no "path"/);
  });

  it('fills in a missing flags or segments map', () => {
    const { calls, updates: u } = updates();
    expect(applyStreamMessage('put', '{"path": "/", "data": {"flags": {}}}', u)).toEqual({ applied: 'put' });
    expect(applyStreamMessage('put', '{"segments": {}}', u)).toEqual({ applied: 'put' });
    expect(calls).toEqual([
      ['init', { flags: {}, segments: {} }],
      ['init', { flags: {}, segments: {} }],
    ]);
  });
});
