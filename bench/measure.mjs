// Timing and formatting helpers for the benchmark.

import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

/** @param {number[]} xs */
export function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run a full GC if the process was started with --expose-gc. */
export function gc() {
  globalThis.gc?.();
}

/**
 * Time a (possibly async) function once, in milliseconds.
 * @param {() => unknown} fn
 */
export async function timeAsync(fn) {
  const t0 = now();
  await fn();
  return now() - t0;
}

/**
 * Time a synchronous function once, in milliseconds.
 * @param {() => unknown} fn
 */
export function timeSync(fn) {
  const t0 = now();
  fn();
  return now() - t0;
}

/**
 * Run several named measurements for `rounds` rounds, alternating between them
 * within each round so that slow drift (thermal, GC pressure, JIT) affects all
 * of them equally. Each measurement returns a number (e.g. ops/sec or ms).
 * @param {number} rounds
 * @param {Record<string, () => (number | Promise<number>)>} measurements
 * @returns {Promise<Record<string, {samples: number[], median: number}>>}
 */
export async function alternate(rounds, measurements) {
  const names = Object.keys(measurements);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the starting measurement each round.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      gc();
      samples[name].push(await measurements[name]());
    }
  }
  return Object.fromEntries(names.map((n) => [n, { samples: samples[n], median: median(samples[n]) }]));
}

/** Format a number with thousands separators and a fixed number of decimals. */
export function fmt(x, decimals = 0) {
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Render rows (array of arrays of strings) as an aligned text table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(all[0]), sep, ...all.slice(1).map(line)].join('\n');
}
