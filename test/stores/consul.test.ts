// ldedge/consul against a loopback server speaking Consul's KV HTTP API.
import { afterAll } from 'vitest';
import { consulStore } from '../../stores/consul/index.js';
import { startConsulServer, type ConsulServer } from '../helpers/consulServer.js';
import { describeStore, type Kind, type Layout } from './storeSuite.js';

let server: ConsulServer;
const NS: Record<Kind, string> = { flags: 'features', segments: 'segments' };
const full = (prefix: string | undefined) => prefix ?? 'launchdarkly';
const TOKEN = 'consul-acl-token';

afterAll(() => server?.stop());

describeStore(
  'Consul',
  {
    async start() {
      // With an ACL token required, so that the store is seen to send it.
      server = await startConsulServer({ token: TOKEN });
    },
    makeStore: (prefix, logger) => consulStore({ url: server.url, prefix, logger, token: TOKEN }),
    async writeLayout(prefix, data, inited) {
      const p = full(prefix);
      const headers = { 'X-Consul-Token': TOKEN };
      await fetch(`${server.url}/v1/kv/${p}/?recurse`, { method: 'DELETE', headers });
      for (const kind of ['flags', 'segments'] as const) {
        for (const [key, item] of Object.entries(data[kind])) {
          const res = await fetch(`${server.url}/v1/kv/${p}/${NS[kind]}/${key}`, { method: 'PUT', headers, body: JSON.stringify(item) });
          if ((await res.text()) !== 'true') throw new Error('write refused');
        }
      }
      if (inited) await fetch(`${server.url}/v1/kv/${p}/$inited`, { method: 'PUT', headers, body: '' });
    },
    async writeRaw(prefix, kind, key, text) {
      server.set(`${full(prefix)}/${NS[kind]}/${key}`, text);
    },
    async readLayout(prefix): Promise<Layout> {
      const p = full(prefix);
      const layout: Layout = { flags: {}, segments: {}, inited: server.value(`${p}/$inited`) !== undefined };
      for (const key of server.keys()) {
        for (const kind of ['flags', 'segments'] as const) {
          const folder = `${p}/${NS[kind]}/`;
          if (key.startsWith(folder)) layout[kind][key.slice(folder.length)] = JSON.parse(server.value(key)!);
        }
      }
      return layout;
    },
    location: (prefix, kind, key) => `Consul key "${full(prefix)}/${NS[kind]}/${key}"`,
    stopServer: () => server.stop(),
  },
  { defaultPrefix: 'launchdarkly' },
);
