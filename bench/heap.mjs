// One heap measurement, in a process of its own so that no other client's garbage is collected
// inside the window: `node --expose-gc bench/heap.mjs <ldedge|launchdarkly> <flags> <segments> <seed>` prints
// the bytes of heap the client holds once it has evaluated (and so prepared) every flag for one
// context, after full GCs. The generated payload object stays alive throughout, as it does for
// both SDKs alike; ldedge gets a string made inside the window (whatever it keeps of it counts),
// the LaunchDarkly SDK polls a loopback server for the same text.
import LaunchDarkly from '@launchdarkly/node-server-sdk';
import { init } from '../dist/src/index.js';
import { generateContexts, generatePayload } from './generate.mjs';
import { silentLogger, startPayloadServer } from './ldServer.mjs';

const [sdk, flags, segments, seed] = [process.argv[2], ...process.argv.slice(3, 6).map(Number)];
const payload = generatePayload({ flags, segments, seed });
const keys = Object.keys(payload.flags);
const context = generateContexts({ count: 1, seed: seed + 1 })[0];
const server = sdk === 'launchdarkly' ? await startPayloadServer(JSON.stringify(payload)) : undefined;
const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

const before = heap();
let client;
if (sdk === 'ldedge') {
  client = init('sdk-key', { payload: JSON.stringify(payload), sendEvents: false });
  for (const key of keys) client.variationDetail(key, context, null);
} else {
  client = LaunchDarkly.init('sdk-key', {
    baseUri: server.baseUri,
    stream: false,
    sendEvents: false,
    diagnosticOptOut: true,
    logger: silentLogger,
  });
  await client.waitForInitialization({ timeout: 10 });
  for (const key of keys) await client.variationDetail(key, context, null);
}
const held = heap() - before;
console.log(JSON.stringify({ sdk, held, evaluated: keys.length }));
await client.close();
await server?.close();
process.exit(0);
