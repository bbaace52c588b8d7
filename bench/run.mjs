// Benchmark: ldedge vs the LaunchDarkly Node server SDK, in one process, on the
// same generated flag payload and contexts.
//
//   npm run bench
//
// Workloads
//   A  variationDetail throughput over a fixed pseudo-random (flag, context) sequence
//   B  all-flags evaluation for one context (1000 flags)
//   C  cold start: payload string -> first evaluated value, versus a bare JSON.parse
//   D  variationDetail throughput with analytics events on, versus off
//   E  heap held once every flag has been evaluated (so prepared), versus the LaunchDarkly SDK
//   F  flush of 10,000 evaluations' events to a loopback event service, versus the LaunchDarkly SDK
//   C is measured at 10, 1000 and 10,000 flags, to show how the fixed and per-flag costs grow.
//
// Sizes can be overridden with environment variables (see CONFIG below), e.g.
//   BENCH_EVALS=50000 BENCH_ROUNDS=3 node --expose-gc bench/run.mjs
// and BENCH_SEED=n selects a different generated data set.
//
// The process exits 0 whether or not targets are met: this is a report.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import LaunchDarkly from '@launchdarkly/node-server-sdk';
import { init as initLdedge } from '../dist/src/index.js';
import { generateContexts, generatePayload, createRng } from './generate.mjs';
import { startEventSink, startPayloadServer, silentLogger } from './ldServer.mjs';
import { EDGE_BUNDLE_TARGET, EDGE_HOSTS, measureEdgeBundle } from './edgeBundles.mjs';
import { alternate, fmt, gc, median, now, table } from './measure.mjs';

const envInt = (name, dflt) => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

const CONFIG = {
  flags: envInt('BENCH_FLAGS', 1000),
  segments: envInt('BENCH_SEGMENTS', 50),
  contexts: envInt('BENCH_CONTEXTS', 10000),
  evals: envInt('BENCH_EVALS', 200000), // workload A sequence length
  rounds: envInt('BENCH_ROUNDS', 5), // timed rounds per measurement
  // Workload D compares two runs of the same engine whose difference is small against this
  // machine's noise: more rounds make its median steadier.
  eventRounds: envInt('BENCH_EVENT_ROUNDS', 11),
  allFlagsContexts: envInt('BENCH_ALLFLAGS_CONTEXTS', 200), // workload B
  coldReps: envInt('BENCH_COLD_REPS', 30), // workload C
  coldSizes: [10, envInt('BENCH_FLAGS', 1000), 10000], // workload C: flag counts
  heapReps: envInt('BENCH_HEAP_REPS', 3), // workload E
  flushEvals: envInt('BENCH_FLUSH_EVALS', 10000), // workload F: evaluations per flush
  flushRounds: envInt('BENCH_FLUSH_ROUNDS', 9), // workload F
  agreementPairs: envInt('BENCH_AGREEMENT_PAIRS', 2000),
  batch: 1000, // Promise.all chunk size for the batched LD figure
  seed: envInt('BENCH_SEED', 1), // payload seed; contexts use seed + 1
};

/** What each measure must reach (the ratio's direction is in its line of the report). */
const TARGETS = {
  throughput: 5,
  allFlags: 5,
  eventsOn: 0.9,
  heap: 1.0,
  coldSmall: 3,
  coldLarge: 1.1,
  flush: 1.5,
};

/** Default value of the same type as the flag's variations. */
function defaultFor(flag) {
  const v = flag.variations[0];
  if (typeof v === 'boolean') return false;
  if (typeof v === 'number') return -1;
  if (typeof v === 'string') return 'default';
  return { default: true };
}

const passFail = (ok) => (ok ? 'PASS' : 'FAIL');

async function main() {
  console.log(`ldedge vs @launchdarkly/node-server-sdk — node ${process.version}`);
  console.log(
    `config: ${CONFIG.flags} flags, ${CONFIG.segments} segments, ${CONFIG.contexts} contexts, ` +
      `${CONFIG.evals} evals/round, ${CONFIG.rounds} rounds, seed ${CONFIG.seed}, gc ${globalThis.gc ? 'exposed' : 'NOT exposed'}`,
  );

  // ---- data ---------------------------------------------------------------
  const payload = generatePayload({ flags: CONFIG.flags, segments: CONFIG.segments, seed: CONFIG.seed });
  const payloadString = JSON.stringify(payload);
  const contexts = generateContexts({ count: CONFIG.contexts, seed: CONFIG.seed + 1 });
  const flagKeys = Object.keys(payload.flags);
  const defaults = flagKeys.map((k) => defaultFor(payload.flags[k]));
  console.log(`payload: ${fmt(payloadString.length / 1024 / 1024, 2)} MB JSON`);

  const cleanup = [];
  try {
    // ---- clients ------------------------------------------------------------
    const server = await startPayloadServer(payloadString);
    cleanup.push(() => server.close());

    const edgeInitStart = now();
    const edge = initLdedge('sdk-key', { payload: payloadString, sendEvents: false });
    cleanup.push(() => edge.close());
    await edge.waitForInitialization();
    const edgeInitMs = now() - edgeInitStart;

    const ldInitStart = now();
    const ld = LaunchDarkly.init('sdk-key', {
      baseUri: server.baseUri,
      stream: false,
      sendEvents: false,
      diagnosticOptOut: true,
      logger: silentLogger,
    });
    cleanup.push(() => ld.close());
    await ld.waitForInitialization({ timeout: 10 });
    const ldInitMs = now() - ldInitStart;
    if (!ld.initialized()) throw new Error('LaunchDarkly SDK failed to initialise from the loopback server');

    // ---- sanity check -------------------------------------------------------
    await agreementCheck(edge, ld, flagKeys, defaults, contexts, payload);

    // ---- workload A ---------------------------------------------------------
    const a = await workloadThroughput(edge, ld, flagKeys, defaults, contexts);

    // ---- workload B ---------------------------------------------------------
    const b = await workloadAllFlags(edge, ld, flagKeys, defaults, contexts);

    // ---- workload C ---------------------------------------------------------
    const c = workloadColdStart(payloadString, flagKeys, defaults, contexts);

    // ---- workload D ---------------------------------------------------------
    const d = await workloadEvents(payloadString, flagKeys, defaults, contexts);

    // ---- workload E ---------------------------------------------------------
    const e = workloadHeap();

    // ---- workload F ---------------------------------------------------------
    const f = await workloadFlush(payloadString, flagKeys, defaults, contexts, server.baseUri);

    // ---- workload C at other sizes -------------------------------------------
    const colds = [];
    for (const flags of CONFIG.coldSizes) {
      if (flags === CONFIG.flags) {
        colds.push({ flags, ...c });
        continue;
      }
      const other = generatePayload({ flags, segments: Math.max(1, Math.round((flags * CONFIG.segments) / CONFIG.flags)), seed: CONFIG.seed });
      const keys = Object.keys(other.flags);
      const otherDefaults = keys.map((k) => defaultFor(other.flags[k]));
      colds.push({ flags, ...workloadColdStart(JSON.stringify(other), keys, otherDefaults, contexts) });
    }

    const bundles = [];
    for (const host of EDGE_HOSTS) bundles.push(await measureEdgeBundle(host));

    // ---- report -------------------------------------------------------------
    console.log('');
    console.log(
      table(
        ['measurement', 'ldedge', 'launchdarkly', 'unit'],
        [
          ['variationDetail (sequential await)', fmt(a.edge), fmt(a.ldSeq), 'ops/s'],
          ['variationDetail (Promise.all x1000)', fmt(a.edge), fmt(a.ldBatch), 'ops/s'],
          [`all-flags, median per context (${b.mode})`, fmt(b.edge, 3), fmt(b.ld, 3), 'ms'],
          ['all-flags, mean per context', fmt(b.edgeMean, 3), fmt(b.ldMean, 3), 'ms'],
          ['init (inline string / loopback poll)', fmt(edgeInitMs, 2), fmt(ldInitMs, 2), 'ms'],
          ...colds.flatMap((cold) => [
            [`cold start, ${fmt(cold.flags)} flags: string -> first value`, fmt(cold.edge, 3), '-', 'ms'],
            [`cold start, ${fmt(cold.flags)} flags: bare JSON.parse`, '-', fmt(cold.parse, 3), 'ms'],
          ]),
          ['variationDetail, events on (flush per 1000)', fmt(d.on), '-', 'ops/s'],
          ['variationDetail, events off', fmt(d.off), '-', 'ops/s'],
          ['heap once every flag is prepared', fmt(e.edge / 1024 / 1024, 2), fmt(e.ld / 1024 / 1024, 2), 'MB'],
          [`flush of ${fmt(CONFIG.flushEvals)} evaluations (loopback)`, fmt(f.edge, 2), fmt(f.ld, 2), 'ms'],
        ],
      ),
    );
    console.log('');

    // One row per measure: the ratio, its target and whether it is met. Ratios read so that
    // ">=" targets are "times better than" and "<=" targets "times as much as".
    const rows = [
      ['variationDetail vs LaunchDarkly Node SDK', a.edge / Math.max(a.ldSeq, a.ldBatch), '>=', TARGETS.throughput],
      [`allFlagsState, ${fmt(CONFIG.flags)} flags, vs LaunchDarkly Node SDK`, b.ld / b.edge, '>=', TARGETS.allFlags],
      ['evaluation throughput, events on vs off', d.on / d.off, '>=', TARGETS.eventsOn],
      ['heap once every flag is prepared, vs LaunchDarkly Node SDK', e.edge / e.ld, '<=', TARGETS.heap],
      ...colds.map((cold) => [
        `payload -> first value at ${fmt(cold.flags)} flags, vs bare JSON.parse`,
        cold.edge / cold.parse,
        '<=',
        cold.flags <= 10 ? TARGETS.coldSmall : TARGETS.coldLarge,
      ]),
      ...bundles.map((bundle) => [
        `ldedge/${bundle.host} min+gzip (B)`,
        bundle.gzipped,
        '<=',
        EDGE_BUNDLE_TARGET,
      ]),
      [`flush of ${fmt(CONFIG.flushEvals)} evaluations vs LaunchDarkly Node SDK`, f.ld / f.edge, '>=', TARGETS.flush],
    ];
    const verdicts = rows.map(([, value, op, target]) => (op === '>=' ? value >= target : value <= target));
    console.log(
      table(
        ['measure', 'ldedge', 'target', 'result'],
        rows.map(([name, value, op, target], i) => [
          name,
          Number.isInteger(value) ? String(value) : `${value.toFixed(2)}x`,
          `${op} ${Number.isInteger(target) && target > 100 ? target : `${target}x`}`,
          passFail(verdicts[i]),
        ]),
      ),
    );
    const passed = verdicts.filter(Boolean).length;
    console.log(
      `summary: ${passed}/${verdicts.length} targets met${passed === verdicts.length ? '' : ' (report only; exit code 0)'}`,
    );
  } finally {
    for (const fn of cleanup.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('cleanup error:', err);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Sanity check: both engines should produce the same result for the same input.

const normIndex = (i) => (i === undefined ? null : i);

/** Reason fields that should agree between engines (absent and false/undefined treated alike). */
function reasonKey(r) {
  if (!r) return null;
  return {
    kind: r.kind,
    ruleIndex: r.ruleIndex ?? null,
    ruleId: r.ruleId ?? null,
    prerequisiteKey: r.prerequisiteKey ?? null,
    errorKind: r.errorKind ?? null,
    inExperiment: r.inExperiment ?? false,
  };
}

async function agreementCheck(edge, ld, flagKeys, defaults, contexts, payload) {
  const rng = createRng(3);
  const n = CONFIG.agreementPairs;
  let agree = 0;
  let reasonAgree = 0;
  const mismatches = [];
  const reasonOnly = [];
  for (let i = 0; i < n; i++) {
    const fi = rng.int(0, flagKeys.length - 1);
    const ctx = contexts[rng.int(0, contexts.length - 1)];
    const key = flagKeys[fi];
    const e = edge.variationDetail(key, ctx, defaults[fi]);
    const l = await ld.variationDetail(key, ctx, defaults[fi]);
    const same =
      isDeepStrictEqual(e?.value, l.value) &&
      normIndex(e?.variationIndex) === normIndex(l.variationIndex) &&
      e?.reason?.kind === l.reason?.kind;
    if (same) {
      agree++;
      if (isDeepStrictEqual(reasonKey(e.reason), reasonKey(l.reason))) reasonAgree++;
      else reasonOnly.push({ key, ctx, edge: e, ld: l });
    } else {
      mismatches.push({ key, ctx, edge: e, ld: l });
    }
  }
  console.log(
    `agreement (value, variationIndex, reason.kind): ${agree}/${n} pairs` +
      ` (full reason details agree: ${reasonAgree}/${n})`,
  );
  const show = (list, label) => {
    for (const m of list.slice(0, 5)) {
      console.log(`  ${label} ${m.key}`);
      console.log(`    context:      ${JSON.stringify(m.ctx)}`);
      console.log(`    ldedge:       ${JSON.stringify(m.edge)}`);
      console.log(`    launchdarkly: ${JSON.stringify(m.ld)}`);
    }
    if (list.length > 5) console.log(`  ... and ${list.length - 5} more`);
  };
  if (mismatches.length) show(mismatches, 'MISMATCH');
  if (reasonOnly.length) show(reasonOnly, 'reason detail differs:');
  if (process.env.BENCH_MISMATCH_OUT && (mismatches.length || reasonOnly.length)) {
    const { writeFileSync } = await import('node:fs');
    const withFlags = (list) => list.map((m) => ({ ...m, flag: payload.flags[m.key] }));
    writeFileSync(
      process.env.BENCH_MISMATCH_OUT,
      JSON.stringify({ mismatches: withFlags(mismatches), reasonOnly: withFlags(reasonOnly) }, null, 2),
    );
    console.log(`  (details written to ${process.env.BENCH_MISMATCH_OUT})`);
  }
}

// ---------------------------------------------------------------------------
// Workload A: variationDetail throughput.

async function workloadThroughput(edge, ld, flagKeys, defaults, contexts) {
  const rng = createRng(4);
  const n = CONFIG.evals;
  const fIdx = new Int32Array(n);
  const cIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    fIdx[i] = rng.int(0, flagKeys.length - 1);
    cIdx[i] = rng.int(0, contexts.length - 1);
  }
  let sink = 0;

  const runEdge = () => {
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const f = fIdx[i];
      const d = edge.variationDetail(flagKeys[f], contexts[cIdx[i]], defaults[f]);
      if (d.variationIndex != null) acc += d.variationIndex;
    }
    const ms = now() - t0;
    sink += acc;
    return (n / ms) * 1000;
  };

  const runLdSequential = async () => {
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const f = fIdx[i];
      const d = await ld.variationDetail(flagKeys[f], contexts[cIdx[i]], defaults[f]);
      if (d.variationIndex != null) acc += d.variationIndex;
    }
    const ms = now() - t0;
    sink += acc;
    return (n / ms) * 1000;
  };

  const runLdBatched = async () => {
    let acc = 0;
    const batch = CONFIG.batch;
    const t0 = now();
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      const pending = new Array(end - start);
      for (let i = start; i < end; i++) {
        const f = fIdx[i];
        pending[i - start] = ld.variationDetail(flagKeys[f], contexts[cIdx[i]], defaults[f]);
      }
      const results = await Promise.all(pending);
      for (const d of results) if (d.variationIndex != null) acc += d.variationIndex;
    }
    const ms = now() - t0;
    sink += acc;
    return (n / ms) * 1000;
  };

  process.stdout.write('workload A (variationDetail throughput): warming up...');
  runEdge();
  await runLdSequential();
  await runLdBatched();
  process.stdout.write(' measuring...');
  const res = await alternate(CONFIG.rounds, { edge: runEdge, ldSeq: runLdSequential, ldBatch: runLdBatched });
  process.stdout.write(' done\n');
  if (sink === -1) console.log(sink); // keep results observable
  const spread = (r) => `${fmt(Math.min(...r.samples))}..${fmt(Math.max(...r.samples))}`;
  console.log(
    `  per-round ops/s (min..max): ldedge ${spread(res.edge)}, launchdarkly sequential ${spread(res.ldSeq)}, ` +
      `batched ${spread(res.ldBatch)}`,
  );
  return { edge: res.edge.median, ldSeq: res.ldSeq.median, ldBatch: res.ldBatch.median };
}

// ---------------------------------------------------------------------------
// Workload B: evaluate every flag for one context.

async function workloadAllFlags(edge, ld, flagKeys, defaults, contexts) {
  const rng = createRng(5);
  const picked = Array.from({ length: CONFIG.allFlagsContexts }, () => contexts[rng.int(0, contexts.length - 1)]);
  const hasAllFlags = typeof edge.allFlagsState === 'function';
  const mode = hasAllFlags ? 'allFlagsState' : 'variationDetail loop';
  let sink = 0;

  const edgeAll = hasAllFlags
    ? (ctx) => edge.allFlagsState(ctx)
    : (ctx) => {
        const out = {};
        for (let i = 0; i < flagKeys.length; i++) out[flagKeys[i]] = edge.variationDetail(flagKeys[i], ctx, defaults[i]);
        return out;
      };

  const edgeTimes = [];
  const ldTimes = [];
  const runEdge = () => {
    const t0 = now();
    for (const ctx of picked) {
      const s = now();
      const state = edgeAll(ctx);
      edgeTimes.push(now() - s);
      if (state) sink++;
    }
    return (now() - t0) / picked.length;
  };
  const runLd = async () => {
    const t0 = now();
    for (const ctx of picked) {
      const s = now();
      const state = await ld.allFlagsState(ctx);
      ldTimes.push(now() - s);
      if (state) sink++;
    }
    return (now() - t0) / picked.length;
  };

  process.stdout.write(`workload B (all flags, ${mode}): warming up...`);
  runEdge();
  await runLd();
  edgeTimes.length = 0;
  ldTimes.length = 0;
  process.stdout.write(' measuring...');
  const res = await alternate(CONFIG.rounds, { edge: runEdge, ld: runLd });
  process.stdout.write(' done\n');

  // Light cross-check of the all-flags output (values, and the serialised state
  // used to bootstrap client-side SDKs) when ldedge exposes the same methods.
  if (hasAllFlags) {
    let comparedValues = 0;
    let sameValues = 0;
    let comparedJson = 0;
    let sameJson = 0;
    let example;
    for (const ctx of picked.slice(0, 20)) {
      const e = edge.allFlagsState(ctx);
      const l = await ld.allFlagsState(ctx);
      if (typeof e?.allValues === 'function') {
        comparedValues++;
        if (isDeepStrictEqual(e.allValues(), l.allValues())) sameValues++;
      }
      if (typeof e?.toJSON === 'function') {
        comparedJson++;
        const ej = JSON.parse(JSON.stringify(e.toJSON()));
        const lj = JSON.parse(JSON.stringify(l.toJSON()));
        if (isDeepStrictEqual(ej, lj)) sameJson++;
        else if (!example) example = firstDifference(ej, lj, ctx);
      }
    }
    if (comparedValues) console.log(`  allFlagsState().allValues() identical for ${sameValues}/${comparedValues} contexts`);
    if (comparedJson) console.log(`  allFlagsState().toJSON() identical for ${sameJson}/${comparedJson} contexts`);
    if (example) console.log(`  first toJSON difference: ${example}`);
  }
  if (sink === -1) console.log(sink);
  return {
    mode,
    edge: median(edgeTimes),
    ld: median(ldTimes),
    edgeMean: res.edge.median,
    ldMean: res.ld.median,
  };
}

/** Describe the first top-level or `$flagsState` entry that differs between two toJSON() objects. */
function firstDifference(edgeJson, ldJson, ctx) {
  const keys = new Set([...Object.keys(edgeJson), ...Object.keys(ldJson)]);
  for (const k of keys) {
    if (k === '$flagsState') continue;
    if (!isDeepStrictEqual(edgeJson[k], ldJson[k])) {
      return `${k}: ldedge ${JSON.stringify(edgeJson[k])} vs launchdarkly ${JSON.stringify(ldJson[k])}`;
    }
  }
  const ef = edgeJson.$flagsState ?? {};
  const lf = ldJson.$flagsState ?? {};
  for (const k of new Set([...Object.keys(ef), ...Object.keys(lf)])) {
    if (!isDeepStrictEqual(ef[k], lf[k])) {
      return (
        `$flagsState.${k} for ${JSON.stringify(ctx)}: ldedge ${JSON.stringify(ef[k])} ` +
        `vs launchdarkly ${JSON.stringify(lf[k])}`
      );
    }
  }
  return 'key order or other structural difference';
}

// ---------------------------------------------------------------------------
// Workload C: cold start from a payload string.

/**
 * Events on against events off, both ldedge, on the same evaluation sequence: the cost events add
 * to the evaluation path. The events client records summaries, index and feature events; every
 * 1000 evaluations (a request's worth in a serverless host) it flushes to a sender that discards
 * the payloads. The flush is what a host hands to waitUntil after responding, so it is timed
 * separately and reported, not counted in the evaluation throughput.
 */
async function workloadEvents(payloadString, flagKeys, defaults, contexts) {
  const discard = { sendEvents: async () => ({ outcome: 'success' }) };
  const on = initLdedge('sdk-key', { payload: payloadString, eventSender: discard });
  const off = initLdedge('sdk-key', { payload: payloadString, sendEvents: false });
  const rng = createRng(5);
  const n = CONFIG.evals;
  const chunk = 1000;
  const fIdx = new Int32Array(n);
  const cIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    fIdx[i] = rng.int(0, flagKeys.length - 1);
    // A request evaluates many flags for one context.
    cIdx[i] = (Math.floor(i / 20) * 7919) % contexts.length;
  }
  let sink = 0;
  let flushMs = 0;
  const run = (client, flushing) => async () => {
    let acc = 0;
    let ms = 0;
    for (let start = 0; start < n; start += chunk) {
      const t0 = now();
      const end = Math.min(n, start + chunk);
      for (let i = start; i < end; i++) {
        const f = fIdx[i];
        const detail = client.variationDetail(flagKeys[f], contexts[cIdx[i]], defaults[f]);
        if (detail.variationIndex != null) acc += detail.variationIndex;
      }
      ms += now() - t0;
      if (flushing) {
        const t1 = now();
        await client.flush();
        flushMs += now() - t1;
      }
    }
    sink += acc;
    return (n / ms) * 1000;
  };
  process.stdout.write('workload D (events on vs off): warming up...');
  await run(on, true)();
  await run(off, false)();
  flushMs = 0;
  process.stdout.write(' measuring...');
  const res = await alternate(CONFIG.eventRounds, { on: run(on, true), off: run(off, false) });
  process.stdout.write(' done\n');
  if (sink === -1) console.log(sink);
  console.log(`  flush per ${chunk} evaluations (after the response, in waitUntil): ${fmt((flushMs / (CONFIG.eventRounds * n)) * chunk, 3)} ms`);
  await on.close();
  await off.close();
  return { on: res.on.median, off: res.off.median };
}

function workloadColdStart(payloadString, flagKeys, defaults, contexts) {
  // Evaluate the last flag (most likely to have prerequisites on earlier ones).
  const fi = flagKeys.length - 1;
  const key = flagKeys[fi];
  const ctx = contexts[0];
  let sink = 0;

  const edgeOnce = () => {
    const t0 = now();
    const client = initLdedge('sdk-key', { payload: payloadString, sendEvents: false });
    const value = client.variation(key, ctx, defaults[fi]);
    const ms = now() - t0;
    client.close();
    if (value !== undefined) sink++;
    return ms;
  };
  const parseOnce = () => {
    const t0 = now();
    const parsed = JSON.parse(payloadString);
    const ms = now() - t0;
    if (parsed) sink++;
    return ms;
  };

  // Small payloads parse in microseconds: more repetitions steady their medians.
  const reps = Math.max(CONFIG.coldReps, Math.min(1000, Math.round((CONFIG.coldReps * 1000) / flagKeys.length)));
  process.stdout.write(`workload C (cold start, ${fmt(flagKeys.length)} flags): warming up...`);
  for (let i = 0; i < 3; i++) {
    gc();
    edgeOnce();
    gc();
    parseOnce();
  }
  process.stdout.write(' measuring...');
  const edgeTimes = [];
  const parseTimes = [];
  for (let i = 0; i < reps; i++) {
    // Alternate which one goes first.
    const order = i % 2 === 0 ? [edgeOnce, parseOnce] : [parseOnce, edgeOnce];
    for (const fn of order) {
      gc();
      (fn === edgeOnce ? edgeTimes : parseTimes).push(fn());
    }
  }
  process.stdout.write(' done\n');
  if (sink === -1) console.log(sink);
  return { edge: median(edgeTimes), parse: median(parseTimes) };
}

// ---------------------------------------------------------------------------
// Workload E: heap.

/**
 * The heap a client holds once every flag has been evaluated (and so prepared) for one context,
 * each measured in a fresh process (bench/heap.mjs); median over `heapReps` processes per SDK.
 */
function workloadHeap() {
  const script = fileURLToPath(new URL('./heap.mjs', import.meta.url));
  const held = (sdk) => {
    const samples = [];
    for (let r = 0; r < CONFIG.heapReps; r++) {
      const out = execFileSync(process.execPath, ['--expose-gc', script, sdk, ...[CONFIG.flags, CONFIG.segments, CONFIG.seed].map(String)]);
      samples.push(JSON.parse(out.toString()).held);
    }
    return median(samples);
  };
  process.stdout.write('workload E (heap): measuring...');
  const result = { edge: held('ldedge'), ld: held('launchdarkly') };
  process.stdout.write(' done\n');
  return result;
}

// ---------------------------------------------------------------------------
// Workload F: flush.

/**
 * Both SDKs evaluate the same `flushEvals` (flag, context) pairs (20 evaluations per context, as
 * in a request), then flush to one loopback event service; the flush is timed until the service
 * has answered. Median over rounds, alternating which SDK flushes first.
 */
async function workloadFlush(payloadString, flagKeys, defaults, contexts, baseUri) {
  const sink = await startEventSink();
  const edge = initLdedge('sdk-key', { payload: payloadString, eventsUri: sink.uri });
  const ld = LaunchDarkly.init('sdk-key', {
    baseUri,
    eventsUri: sink.uri,
    stream: false,
    diagnosticOptOut: true,
    flushInterval: 3600,
    logger: silentLogger,
  });
  await ld.waitForInitialization({ timeout: 10 });
  const rng = createRng(6);
  const n = CONFIG.flushEvals;
  const edgeTimes = [];
  const ldTimes = [];
  const bytes = { edge: 0, ld: 0 };
  const flushed = async (name, flush, times) => {
    gc();
    const posted = sink.bytes();
    const t0 = now();
    await flush();
    times.push(now() - t0);
    bytes[name] += sink.bytes() - posted;
  };
  process.stdout.write('workload F (flush): measuring...');
  try {
    for (let round = 0; round < CONFIG.flushRounds + 1; round++) {
      const pairs = Array.from({ length: n }, (_, i) => [rng.int(0, flagKeys.length - 1), (Math.floor(i / 20) * 7919 + round) % contexts.length]);
      for (const [f, c] of pairs) edge.variationDetail(flagKeys[f], contexts[c], defaults[f]);
      for (const [f, c] of pairs) await ld.variationDetail(flagKeys[f], contexts[c], defaults[f]);
      const both = [
        () => flushed('edge', () => edge.flush(), edgeTimes),
        () => flushed('ld', () => ld.flush(), ldTimes),
      ];
      for (const run of round % 2 === 0 ? both : both.reverse()) await run();
      // The first round warms both up.
      if (round === 0) edgeTimes.length = ldTimes.length = bytes.edge = bytes.ld = 0;
    }
  } finally {
    await edge.close();
    await ld.close();
    await sink.close();
  }
  process.stdout.write(' done\n');
  console.log(
    `  bytes posted per flush: ldedge ${fmt(bytes.edge / CONFIG.flushRounds)}, launchdarkly ${fmt(bytes.ld / CONFIG.flushRounds)}`,
  );
  return { edge: median(edgeTimes), ld: median(ldTimes) };
}

// ---------------------------------------------------------------------------

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    // Everything is closed above; this is only a backstop against a stray handle.
    setTimeout(() => process.exit(), 2000).unref();
  });
