// Benchmark: ldedge in workerd (through miniflare), against what any KV-backed SDK must do.
//
//   node bench/workerd.mjs
//
// Three Workers run side by side in one workerd, sharing a KV namespace that holds a generated
// 1000-flag payload under LD-Env-<id>:
//   a  ldedge through ldedge/cloudflare: 20 evaluations for one context per request
//   b  one KV read + JSON.parse of the payload (the floor for reading flags from KV)
//   c  a no-op Worker (the cost of a request itself)
// First request: a fresh workerd (new Miniflare) per rep, the first request to each Worker,
// median over reps. Warm: later requests in one workerd, interleaved, median over many.
// workerd freezes the clock while a Worker runs, so every time is taken in Node around the
// request; the ratios and differences, side by side in one run, are what to read. Module startup
// (global scope, where ldedge/cloudflare warms up its evaluation code) is outside every figure.
//
// Sizes: BENCH_WORKERD_REPS (default 10), BENCH_WORKERD_WARM (default 300), BENCH_FLAGS (1000).
// Exits 0 whether or not the targets are met: this is a report.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { generateContexts, generatePayload } from './generate.mjs';
import { fmt, median } from './measure.mjs';

const envInt = (name, dflt) => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const REPS = envInt('BENCH_WORKERD_REPS', 10);
const WARM = envInt('BENCH_WORKERD_WARM', 300);
const FLAGS = envInt('BENCH_FLAGS', 1000);
const TARGETS = { firstRatio: 1.3, warmDifferenceMs: 1 };
const CLIENT_SIDE_ID = 'bench-client-side-id';
const KV_KEY = `LD-Env-${CLIENT_SIDE_ID}`;
const here = fileURLToPath(new URL('./workerd/', import.meta.url));

const payload = JSON.stringify(generatePayload({ flags: FLAGS }));
const flagKeys = Object.keys(JSON.parse(payload).flags).slice(0, 20);
const [context] = generateContexts({ count: 1, seed: 2 });

// Events from (a) go here, after each response, as they would in production.
let eventPayloads = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    eventPayloads++;
    res.writeHead(202).end();
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const eventsUri = `http://127.0.0.1:${sink.address().port}`;

const ldedgeScript = (
  await build({
    entryPoints: [`${here}ldedge-worker.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    define: { FLAG_KEYS: JSON.stringify(flagKeys), CONTEXT: JSON.stringify(context) },
  })
).outputFiles[0].text;
const bareScript = readFileSync(`${here}bare-worker.js`, 'utf8');
const noopScript = readFileSync(`${here}noop-worker.js`, 'utf8');

const WORKERS = { ldedge: ldedgeScript, bare: bareScript, noop: noopScript, warmup: bareScript };

function options() {
  return {
    cf: false,
    log: new Log(LogLevel.WARN),
    workers: Object.entries(WORKERS).map(([name, script]) => ({
      name,
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      routes: [`${name}.bench/*`],
      kvNamespaces: { LD_KV: 'bench' },
      bindings: {
        LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
        LD_EVENTS_URI: eventsUri,
        // The warm-up Worker reads a small entry, so KV itself is warm before anything is timed.
        KV_KEY: name === 'warmup' ? 'warm' : KV_KEY,
      },
    })),
  };
}

async function start() {
  const mf = new Miniflare(options());
  await mf.ready;
  const kv = await mf.getKVNamespace('LD_KV', 'bare');
  await kv.put(KV_KEY, payload);
  await kv.put('warm', '{"flags":{}}');
  return mf;
}

/** Milliseconds from Node's side for one request to `name`, body included. */
async function timeRequest(mf, name) {
  const started = performance.now();
  const response = await mf.dispatchFetch(`http://${name}.bench/`);
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${name} answered ${response.status}: ${body.slice(0, 200)}`);
  return ms;
}

/** The adapter's module-scope warm-up, timed on its own in this (so far ldedge-free) process. */
async function warmUpMs() {
  const code = (
    await build({
      entryPoints: [fileURLToPath(new URL('../runtimes/cloudflare/warmup.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
    })
  ).outputFiles[0].text;
  const { warmUp } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  const started = performance.now();
  warmUp();
  return performance.now() - started;
}
const warmUpCost = await warmUpMs();

console.log(`ldedge in workerd (miniflare) — node ${process.version}`);
console.log(
  `config: ${FLAGS} flags (${fmt(payload.length / 1024 / 1024, 2)} MB JSON in KV), 20 evaluations per request, ` +
    `${REPS} fresh-isolate reps, ${WARM} warm requests per Worker`,
);

const first = { ldedge: [], bare: [], noop: [] };
const order = Object.keys(first);
let mf;
for (let rep = 0; rep < REPS; rep++) {
  await mf?.dispose();
  mf = await start();
  await timeRequest(mf, 'warmup');
  // Rotate which Worker goes first, so no one of them always meets a colder workerd.
  for (let i = 0; i < order.length; i++) {
    const name = order[(i + rep) % order.length];
    first[name].push(await timeRequest(mf, name));
  }
}

// Warm: the last workerd, every Worker already loaded; interleaved so drift hits all alike.
const warm = { ldedge: [], bare: [], noop: [] };
for (let i = 0; i < 20; i++) for (const name of order) await timeRequest(mf, name);
for (let i = 0; i < WARM; i++) {
  for (let j = 0; j < order.length; j++) {
    const name = order[(i + j) % order.length];
    warm[name].push(await timeRequest(mf, name));
  }
}
await mf.dispose();
sink.close();

const m = (xs) => median(xs);
console.log(
  `\nfirst request (median of ${REPS}): ldedge ${fmt(m(first.ldedge), 2)} ms, bare KV read + JSON.parse ${fmt(m(first.bare), 2)} ms, ` +
    `no-op ${fmt(m(first.noop), 2)} ms`,
);
console.log(
  `warm request (median of ${WARM}): ldedge ${fmt(m(warm.ldedge), 3)} ms, bare KV read + JSON.parse ${fmt(m(warm.bare), 3)} ms, ` +
    `no-op ${fmt(m(warm.noop), 3)} ms`,
);
console.log(`event payloads delivered by (a) after its responses: ${eventPayloads}`);
console.log(
  `not in these figures, for any Worker: module startup, which workerd runs when a Worker loads and Cloudflare ` +
    `during the TLS handshake. ldedge's includes a warm-up of the evaluation code: ${fmt(warmUpCost, 1)} ms in Node.`,
);

const ratio = m(first.ldedge) / m(first.bare);
const difference = m(warm.ldedge) - m(warm.noop);
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
console.log('');
console.log(
  `workerd first request: ldedge ${fmt(m(first.ldedge), 2)} ms, bare KV read + JSON.parse ${fmt(m(first.bare), 2)} ms, ` +
    `ratio ${fmt(ratio, 2)}x (target <= ${TARGETS.firstRatio}x) ${verdict(ratio <= TARGETS.firstRatio)}`,
);
console.log(
  `workerd warm request: ldedge ${fmt(m(warm.ldedge), 3)} ms, no-op ${fmt(m(warm.noop), 3)} ms, ` +
    `difference ${fmt(difference, 3)} ms (target <= ${TARGETS.warmDifferenceMs} ms) ${verdict(difference <= TARGETS.warmDifferenceMs)}`,
);
