/**
 * A small Node.js HTTP server that evaluates a flag for each request. Flags stream in from
 * LaunchDarkly; events are flushed every 5 s and on shutdown. HTTPS_PROXY / NO_PROXY are honoured.
 *
 *   LD_SDK_KEY=sdk-… node server.js   then   curl 'localhost:3000/?user=ann'
 *
 * In an application, import from 'ldedge/node'.
 */
import { createServer } from 'node:http';
import { init } from '../../runtimes/node/index.js';

const client = init(process.env.LD_SDK_KEY ?? '', {
  baseUri: process.env.LD_BASE_URI,
  streamUri: process.env.LD_STREAM_URI,
  eventsUri: process.env.LD_EVENTS_URI,
});

try {
  await client.waitForInitialization({ timeout: 10 });
} catch (err) {
  // Serve anyway: evaluations give defaults until the stream delivers flags.
  console.error(`LaunchDarkly flags are not loaded yet: ${(err as Error).message}`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const user = url.searchParams.get('user');
  const context = user ? { kind: 'user', key: user } : { kind: 'user', key: 'anonymous', anonymous: true };
  const enabled = client.boolVariation('new-checkout', context, false);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ newCheckout: enabled }));
});

server.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`listening on http://localhost:${(server.address() as { port: number }).port}`);
});

async function shutdown(): Promise<void> {
  server.close();
  // Sends the events still queued and stops the stream.
  await client.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
