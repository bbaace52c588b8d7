// ldedge/redis against a real redis-server on loopback.
import { createClient } from 'redis';
import { afterAll } from 'vitest';
import { redisStore } from '../../stores/redis/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { describeStore, type Kind, type Layout } from './storeSuite.js';

let server: RedisServer;
let raw: ReturnType<typeof createClient>;
const HASH: Record<Kind, string> = { flags: 'features', segments: 'segments' };
const full = (prefix: string | undefined) => prefix ?? 'launchdarkly';

afterAll(async () => {
  raw?.destroy();
  await server?.stop();
});

describeStore(
  'Redis',
  {
    async start() {
      server = await startRedisServer();
      raw = createClient({ url: server.url });
      raw.on('error', () => undefined);
      await raw.connect();
    },
    makeStore: (prefix, logger) => redisStore({ url: server.url, prefix, logger }),
    async writeLayout(prefix, data, inited) {
      const p = full(prefix);
      await raw.del([`${p}:features`, `${p}:segments`, `${p}:$inited`]);
      for (const kind of ['flags', 'segments'] as const) {
        for (const [key, item] of Object.entries(data[kind])) await raw.hSet(`${p}:${HASH[kind]}`, key, JSON.stringify(item));
      }
      if (inited) await raw.set(`${p}:$inited`, '');
    },
    async writeRaw(prefix, kind, key, text) {
      await raw.hSet(`${full(prefix)}:${HASH[kind]}`, key, text);
    },
    async readLayout(prefix): Promise<Layout> {
      const p = full(prefix);
      const parse = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v)]));
      // The marker first: once it is there, the items read after it are the full data set's.
      const inited = (await raw.exists(`${p}:$inited`)) === 1;
      return {
        flags: parse(await raw.hGetAll(`${p}:features`)),
        segments: parse(await raw.hGetAll(`${p}:segments`)),
        inited,
      };
    },
    location: (prefix, kind, key) => `Redis hash "${full(prefix)}:${HASH[kind]}" field "${key}"`,
    stopServer: () => server.stop(),
  },
  { defaultPrefix: 'launchdarkly' },
);
