// Load failures carry a code a program can branch on, and the error underneath as their cause.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { init, type LDLoadError, type LDOptions } from '../../src/lean.js';
import { init as initVercel } from '../../runtimes/vercel/index.js';
import { recordingLogger } from '../helpers/logger.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())));
});

/** A loopback LaunchDarkly stand-in answering every request with `listener`; resolves to its base URI. */
async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What waitForInitialization rejected with (it must reject). */
async function failure(options: LDOptions, timeout = 5): Promise<LDLoadError> {
  const client = init('sdk-key', { logger: recordingLogger(), sendEvents: false, ...options });
  try {
    await client.waitForInitialization({ timeout });
  } catch (err) {
    return err as LDLoadError;
  } finally {
    await client.close();
  }
  throw new Error('waitForInitialization resolved');
}

describe('load errors', () => {
  it('an error status is ERROR_RESPONSE, with the status', async () => {
    const baseUri = await serve((_req, res) => res.writeHead(401).end());
    const err = await failure({ baseUri });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ERROR_RESPONSE', status: 401 });
    expect(err.message).toMatch(/^poll load failed: polling request failed with HTTP 401 \(is the SDK key valid\?\)/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('no answer at all is NETWORK_ERROR, and the message tells why fetch failed', async () => {
    // A port that was just free: nothing listens there any more.
    const baseUri = await serve(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const err = await failure({ baseUri });
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.status).toBeUndefined();
    expect(err.cause).toBeInstanceOf(TypeError);
    // Node's fetch says only "fetch failed"; the reason is in its cause.
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('a server that never answers is TIMEOUT, from the connect timeout or from the wait', async () => {
    const baseUri = await serve(() => {});
    const connect = await failure({ baseUri, connectTimeout: 0.05 });
    expect(connect.code).toBe('TIMEOUT');
    expect(connect.message).toMatch(/polling request timed out after 50 ms/);
    const wait = await failure({ baseUri, connectTimeout: 1 }, 0.05);
    expect(wait.code).toBe('TIMEOUT');
    expect(wait.message).toMatch(/not loaded within 0.05 s/);
  });

  it('a body that is not JSON is INVALID_DATA', async () => {
    const notJson = await serve((_req, res) => res.writeHead(200).end('{"flags":'));
    const err = await failure({ baseUri: notJson });
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toMatch(/polling response is not valid JSON/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a missing KV entry is MISSING_ENTRY; a bad one is INVALID_DATA', async () => {
    const missing = await failure({ kvStore: new Map(), clientSideId: 'cs' });
    expect(missing.code).toBe('MISSING_ENTRY');
    expect(missing.message).toBe('kv load failed: KV store has no entry "LD-Env-cs"');
    const bad = await failure({ kvStore: new Map([['LD-Env-cs', '[]']]), clientSideId: 'cs' });
    expect(bad.code).toBe('INVALID_DATA');
    expect(bad.message).toMatch(/KV store entry "LD-Env-cs" must be an object with "flags" and "segments"/);
  });

  it('an unreadable payload is INVALID_DATA', async () => {
    const err = await failure({ payload: 'not json' });
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toMatch(/option "payload" is not valid JSON/);
  });

  it("a custom loader's own error is the cause, with no code", async () => {
    const own = new RangeError('quota exceeded');
    const err = await failure({ dataSource: { name: 'mine', load: () => Promise.reject(own) } });
    expect(err.code).toBeUndefined();
    expect(err.cause).toBe(own);
    expect(err.message).toBe('mine load failed: quota exceeded');
  });

  it('ldedge/vercel names the Edge Config item that is missing or bad', async () => {
    const logger = recordingLogger();
    const items = new Map<string, unknown>();
    const edgeConfig = { get: async (key: string) => items.get(key) };
    const missing = initVercel('sdk-key', { edgeConfig, clientSideId: 'cs', logger, sendEvents: false });
    await expect(missing.waitForInitialization()).rejects.toMatchObject({
      code: 'MISSING_ENTRY',
      message: 'kv load failed: Edge Config has no entry "LD-Env-cs"',
    });
    items.set('LD-Env-cs', { flags: [] });
    const bad = initVercel('sdk-key', { edgeConfig, clientSideId: 'cs', logger, sendEvents: false });
    await expect(bad.waitForInitialization()).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: 'kv load failed: Edge Config entry "LD-Env-cs": "flags" must be an object keyed by flag key',
    });
  });
});
