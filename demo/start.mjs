// npm start: the example Worker (examples/worker) running locally in workerd, configured as
// wrangler.toml says, with its KV namespace seeded from examples/flags.json and its analytics
// events sent to a sink on 127.0.0.1. Needs no network and no SDK key; bundles from source.
//
//   node demo/start.mjs          serve until Ctrl-C, printing events as they arrive
//   node demo/start.mjs --once   exit after the sample requests and their events
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { explain } from './explain.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const once = process.argv.includes('--once');

// The few wrangler.toml settings the demo needs: `key = "value"` lines.
const toml = readFileSync(`${root}wrangler.toml`, 'utf8');
const setting = (name) => toml.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
const main = setting('main');
const compatibilityDate = setting('compatibility_date');
const clientSideId = setting('LD_CLIENT_SIDE_ID');

const SAMPLES = [
  'key=alice&name=Alice',
  'key=bob&country=de&groups=beta',
  'key=carol&plan=free',
  'key=dave&plan=pro&org=acme',
];

// --- the events sink ---------------------------------------------------------------------------
const payloads = [];
let onPayload = () => {};
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    res.writeHead(202).end();
    if (req.method !== 'POST' || req.url !== '/bulk') return;
    try {
      const events = JSON.parse(body);
      payloads.push(events);
      onPayload(events);
    } catch {
      console.log(`sink: a payload that is not JSON (${body.length} bytes)`);
    }
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUri = `http://127.0.0.1:${sink.address().port}`;

// --- the Worker --------------------------------------------------------------------------------
const bundled = await build({
  entryPoints: [`${root}${main}`],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'warning',
});

/** Workers' console output and workerd's errors, without miniflare's request lines. */
class DemoLog extends Log {
  constructor() {
    super(LogLevel.WARN);
  }
}

const options = {
  modules: true,
  script: bundled.outputFiles[0].text,
  compatibilityDate,
  kvNamespaces: ['LD_KV'],
  bindings: { LD_CLIENT_SIDE_ID: clientSideId, LD_EVENTS_URI: sinkUri, LD_SDK_KEY: 'sdk-local-demo' },
  host: '127.0.0.1',
  cf: false,
  log: new DemoLog(),
};
let mf;
try {
  mf = new Miniflare({ ...options, port: once ? 0 : Number(process.env.PORT ?? 8787) });
  await mf.ready;
} catch {
  // The usual port is taken: any free one will do.
  await mf?.dispose().catch(() => {});
  mf = new Miniflare({ ...options, port: 0 });
}
const url = String(await mf.ready);
const kv = await mf.getKVNamespace('LD_KV');
const flagsJson = readFileSync(`${root}examples/flags.json`, 'utf8');
await kv.put(`LD-Env-${clientSideId}`, flagsJson);
const { flags } = JSON.parse(flagsJson);

console.log(`Worker listening on ${url}  (KV entry LD-Env-${clientSideId}, events to ${sinkUri})`);

// --- sample requests ---------------------------------------------------------------------------
for (const query of SAMPLES) {
  const response = await fetch(`${url}?${query}`);
  const body = await response.json();
  console.log(`\nGET /?${query}  → ${response.status}  context ${JSON.stringify(body.context)}`);
  for (const [flag, { value, variationIndex, reason }] of Object.entries(body.flags)) {
    console.log(`  ${flag.padEnd(15)} = ${JSON.stringify(value).padEnd(30)} variation ${variationIndex} (${reason.kind})`);
    console.log(`  ${''.padEnd(15)}   why: ${explain(flags[flag], { value, variationIndex, reason }, body.context, flags)}`);
  }
}

// --- events ------------------------------------------------------------------------------------
function describeEvent(e) {
  const c = e.context ?? {};
  const who =
    c.kind === 'multi'
      ? Object.entries(c)
          .filter(([k]) => k !== 'kind')
          .map(([kind, member]) => `${kind} ${member.key}`)
          .join(' + ')
      : `${c.kind ?? 'user'} ${c.key}`;
  switch (e.kind) {
    case 'summary':
      return `summary  ${Object.entries(e.features)
        .map(([flag, f]) => `${flag}: ${f.counters.map((c) => `${JSON.stringify(c.value)}×${c.count}`).join(' ')}`)
        .join(', ')}`;
    case 'custom':
      return `custom   ${e.key}  ${who}`;
    case 'feature':
      return `feature  ${e.key} = ${JSON.stringify(e.value)}  ${who}${e.prereqOf ? `  (prerequisite of ${e.prereqOf})` : ''}`;
    default:
      return `${e.kind.padEnd(8)} ${who}`;
  }
}

const customCount = () => payloads.flat().filter((e) => e.kind === 'custom').length;
const deadline = Date.now() + 5000;
while (customCount() < SAMPLES.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const events = payloads.flat();
console.log(`\nevents delivered to the sink: ${payloads.length} payloads, ${events.length} events (sent after each response, via waitUntil)`);
for (const e of events) console.log(`  ${describeEvent(e)}`);

if (once) {
  await mf.dispose();
  sink.close();
} else {
  onPayload = (batch) => {
    for (const e of batch) console.log(`event: ${describeEvent(e)}`);
  };
  console.log(`\nServing at ${url} — try:  curl '${url}?key=bob&country=de&groups=beta'   (Ctrl-C to stop)`);
  process.once('SIGINT', async () => {
    console.log('\nstopping');
    await mf.dispose();
    sink.close();
    process.exit(0);
  });
}
