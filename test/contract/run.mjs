#!/usr/bin/env node
// Runs LaunchDarkly's SDK contract-test harness against ldedge's test service and prints
// "N passed, N failed, N skipped" from its JUnit report; exits non-zero on any failure.
//
//   node test/contract/run.mjs [extra harness flags, e.g. -run 'evaluation/parameterized']
//
// Environment: PORT (service, default 8000), HARNESS_PORT (harness callbacks, default 8111),
// CONTRACT_REPORT (JUnit path; default a temporary file), LOG_LEVEL (service clients, default warn).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HARNESS_MODULE = 'github.com/launchdarkly/sdk-test-harness/v2@v2.41.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ldedge-contract-'));
const port = Number(process.env.PORT ?? 8000);
const report = process.env.CONTRACT_REPORT ?? join(work, 'junit.xml');

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** `sdk-test-harness` from PATH or Go's bin folder, installed there with `go install` if missing. */
function harnessCommand() {
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    if (gopath) process.env.PATH = `${process.env.PATH}${delimiter}${join(gopath, 'bin')}`;
  } catch {
    // No Go: only a harness already on PATH can run.
  }
  if (onPath('sdk-test-harness')) return 'sdk-test-harness';
  console.log(`installing ${HARNESS_MODULE}`);
  const install = spawnSync('go', ['install', HARNESS_MODULE], { stdio: 'inherit' });
  if (install.status !== 0 || !onPath('sdk-test-harness')) {
    console.error(`could not install the contract-test harness (go install ${HARNESS_MODULE})`);
    process.exit(2);
  }
  return 'sdk-test-harness';
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
const service = join(work, 'service.mjs');
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'test', 'contract', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: service,
  logLevel: 'warning',
});

const serviceLog = join(work, 'service.log');
const logFd = openSync(serviceLog, 'w');
const child = spawn(process.execPath, [service], {
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', logFd, logFd],
});
const url = `http://localhost:${port}`;
let exitCode = 1;
try {
  await waitForService(url, child);
  const args = ['-url', url, '-junit', report, '-stop-service-at-end', ...process.argv.slice(2)];
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
