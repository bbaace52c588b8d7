// Loaded before the Deno snippet (deno run --preload): LaunchDarkly's hosts go to the loopback
// LaunchDarkly, the default Deno KV holds the environment under LD-Env-<client-side id> as the sync
// job writes it, and Deno.serve listens on a free loopback port and says which.
const origin = Deno.env.get('LD_TEST_ORIGIN');
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
  if (!url.hostname.endsWith('.launchdarkly.com')) return realFetch(input, init);
  const to = new URL(url.pathname + url.search, origin);
  return realFetch(input instanceof Request ? new Request(to, input) : to, init);
};

const kv = await Deno.openKv();
await kv.set([`LD-Env-${Deno.env.get('LD_CLIENT_SIDE_ID')}`], Deno.env.get('LD_TEST_PAYLOAD'));
kv.close();

const serve = Deno.serve;
Deno.serve = (handler) =>
  serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening on ${port}`) }, handler);
