// The Flags SDK adapter in Node, with the `flags` package deciding from requests: typed
// variations, the SDK's default when there is no context or the type is wrong, and bad options.
import { evaluate, flag } from 'flags/next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLaunchDarklyAdapter } from '../../adapters/vercel-flags/index.js';
import { init, silentLoggerForTests, type LDClient } from '../helpers/sdk.js';

const flags = {
  flags: {
    checkout: { key: 'checkout', version: 1, on: true, salt: 's', offVariation: 0, variations: [false, true], targets: [{ values: ['vip'], variation: 1 }], fallthrough: { variation: 0 } },
    limit: { key: 'limit', version: 1, on: true, salt: 's', offVariation: 0, variations: [25], fallthrough: { variation: 0 } },
  },
  segments: {},
};
const clients: LDClient[] = [];

function client(): LDClient {
  const made = init('sdk-key', { payload: flags as never, sendEvents: false, logger: silentLoggerForTests });
  clients.push(made);
  return made;
}

const request = (user?: string) => new Request('https://app.example/', { headers: user ? { cookie: `uid=${user}` } : {} });

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('createLaunchDarklyAdapter', () => {
  it('decides with the context identify gives, once loaded per request, in one batch under evaluate()', async () => {
    const ld = createLaunchDarklyAdapter({
      client: client(),
      identify: ({ cookies }) => ({ kind: 'user', key: cookies.get('uid')?.value ?? 'anonymous' }),
    });
    const waits = vi.spyOn(ld.client, 'waitForInitialization');
    const checkout = flag<boolean>({ key: 'checkout', adapter: ld.variation(), defaultValue: false });
    const limit = flag<number>({ key: 'limit', adapter: ld.variation(), defaultValue: 1 });
    expect(await checkout(request('vip'))).toBe(true);
    expect(await checkout(request('ann'))).toBe(false);
    waits.mockClear();
    expect(await evaluate([checkout, limit], request('vip'))).toEqual([true, 25]);
    expect(waits).toHaveBeenCalledTimes(1);
    // evaluate() batches flags whose adapters share an id and have bulkDecide.
    expect(ld.variation().adapterId).toBe(ld.variation().adapterId);
    expect(typeof ld.variation().bulkDecide).toBe('function');
  });

  it("gives the flag's default when there is no context or the value is of another type", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ld = createLaunchDarklyAdapter({ client: client() });
    const noContext = flag<boolean>({ key: 'checkout', adapter: ld.variation(), defaultValue: false, identify: () => undefined });
    expect(await noContext(request('vip'))).toBe(false);
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('falling back'), expect.objectContaining({ message: expect.stringMatching(/no LaunchDarkly context/) }));
    const wrongType = flag<string>({ key: 'limit', adapter: ld.variation(), defaultValue: 'none', identify: () => ({ key: 'u' }) });
    expect(await wrongType(request())).toBe('none');
  });

  it('refuses options it cannot use', () => {
    expect(() => createLaunchDarklyAdapter({ client: {} as never })).toThrow(/option "client" must be an ldedge client/);
    expect(() => createLaunchDarklyAdapter({ client: client(), identify: 'user' as never })).toThrow(/option "identify" must be a function/);
  });
});
