#!/usr/bin/env node
// Runs LaunchDarkly's SDK contract-test harness against ldedge's test service and prints
// "N passed, N failed, N skipped" from its JUnit report; exits non-zero on any failure.
//
//   node test/contract/run.mjs [extra harness flags, e.g. -run 'evaluation/parameterized']
//
// The harness's persistence tests run too: the service starts Redis, DynamoDB and Consul stand-ins
// on the ports the harness fixes (6379, 8000, 8500), so those must be free.
//
// Environment: PORT (service, default 8400), HARNESS_PORT (harness callbacks, default 8111),
// CONTRACT_REPORT (JUnit path; default a temporary file), LOG_LEVEL (service clients, default warn).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ldedge-contract-'));
const port = Number(process.env.PORT ?? 8400);
const report = process.env.CONTRACT_REPORT ?? join(work, 'junit.xml');

/** The newest modification time under a folder (the harness source), in ms. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The harness binary in the ignored `.contract/` folder, built with `go build` from the source
 * beside the clone (`../shared/sdk-test-harness`, or HARNESS_SOURCE) when missing or older than it.
 * The source folder may be read-only: the build writes only to `.contract/` and Go's caches.
 */
function harnessCommand() {
  const source = process.env.HARNESS_SOURCE ?? join(root, '..', 'shared', 'sdk-test-harness');
  const binary = join(root, '.contract', 'sdk-test-harness');
  if (!existsSync(source)) {
    if (existsSync(binary)) return binary;
    console.error(`no contract-test harness source at ${source}`);
    process.exit(2);
  }
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestMtime(source)) return binary;
  mkdirSync(dirname(binary), { recursive: true });
  console.log(`building the contract-test harness from ${source}`);
  const built = spawnSync('go', ['build', '-o', binary, '.'], { cwd: source, stdio: 'inherit' });
  if (built.status !== 0 || !existsSync(binary)) {
    console.error(`could not build the contract-test harness (go build in ${source})`);
    process.exit(2);
  }
  return binary;
}

async function waitForService(url, child) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the test service exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the test service did not start within 15 s');
}

/** Counts from the JUnit report: a testcase with <failure> or <error> failed, with <skipped> was skipped. */
function summarise(xml) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const match of xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[1] ?? '';
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}

const harness = harnessCommand();

// The service is TypeScript over src/, type-checked with the tests; esbuild bundles it into one
// module for node, so no build of dist/ (and no TypeScript runner) is needed.
// It sits in `.contract/` so that the packages left external (dynalite, redis) resolve from node_modules.
const service = join(root, '.contract', 'service.mjs');
mkdirSync(dirname(service), { recursive: true });
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'test', 'contract', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: service,
  packages: 'external',
  logLevel: 'warning',
});

const serviceLog = join(work, 'service.log');
const logFd = openSync(serviceLog, 'w');
const child = spawn(process.execPath, [service], {
  env: { ...process.env, PORT: String(port), PERSISTENCE: '1' },
  stdio: ['ignore', logFd, logFd],
});
const url = `http://localhost:${port}`;
let exitCode = 1;
try {
  await waitForService(url, child);
  const args = ['-url', url, '-junit', report, '-stop-service-at-end', '-enable-persistence-tests', ...process.argv.slice(2)];
  if (process.env.HARNESS_PORT) args.push('-port', process.env.HARNESS_PORT);
  const run = spawnSync(harness, args, { stdio: 'inherit' });
  if (!existsSync(report)) {
    console.error(`the harness wrote no report (exit ${run.status}); service log: ${serviceLog}`);
  } else {
    const { passed, failed, skipped } = summarise(readFileSync(report, 'utf8'));
    console.log(`JUnit report: ${report}; service log: ${serviceLog}`);
    console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
    exitCode = failed === 0 && run.status === 0 ? 0 : 1;
  }
} catch (err) {
  console.error(`${err.message}; service log: ${serviceLog}`);
} finally {
  // -stop-service-at-end normally stops it; make sure it is gone either way.
  if (child.exitCode === null) child.kill();
}
process.exit(exitCode);
