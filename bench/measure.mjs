// Shared by the benchmark scripts: interleaved rounds, medians, and the targets file format
// bench/report.mjs turns into BENCHMARKS.md.
import { mkdirSync, writeFileSync } from 'node:fs';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
export const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 60);
export const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
/**
 * The bodies every host measures: what CasPay posts today (shape C) and the documented shape A.
 * @type {{ label: string, type: import('caspay-webhooks').EventType, shape: 'a' | 'c' }[]}
 */
export const BODIES = [
  { label: 'shape C', type: 'payment.received', shape: 'c' },
  { label: 'shape A', type: 'payment.completed', shape: 'a' },
];
export const SAMPLE_OPTIONS = { seed: 'b7e1', created: 1795773600 };

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Several processes' measurements of the same comparisons as one: every number the median
 * of the numbers in the same place in each run, everything else as in the first.
 * @template T
 * @param {T[]} runs
 * @returns {T}
 */
export function medianOfRuns(runs) {
  const [first] = runs;
  if (typeof first === 'number') return /** @type {T} */ (median(/** @type {number[]} */ (runs)));
  if (Array.isArray(first)) return /** @type {T} */ (first.map((_, index) => medianOfRuns(runs.map((run) => /** @type {any} */ (run)[index]))));
  if (typeof first === 'object' && first !== null) {
    return /** @type {T} */ (Object.fromEntries(Object.keys(first).map((key) => [key, medianOfRuns(runs.map((run) => /** @type {any} */ (run)[key]))])));
  }
  return first;
}

/**
 * Runs each function for ROUND_MS per round, ROUNDS rounds, competitors taking turns within
 * every round so drift on a shared machine hits all of them alike.
 * @param {[string, () => unknown][]} competitors
 * @returns {{ name: string, opsPerSecond: number, microseconds: number }[]}
 */
export function measure(competitors) {
  /** @type {number[][]} */
  const samples = competitors.map(() => []);
  for (const [, fn] of competitors) for (let i = 0; i < 2000; i++) fn();
  for (let round = 0; round < ROUNDS; round++) {
    competitors.forEach(([, fn], index) => {
      let ops = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < ROUND_MS) {
        for (let i = 0; i < 64; i++) fn();
        ops += 64;
        elapsed = performance.now() - start;
      }
      samples[index].push((ops / elapsed) * 1000);
    });
  }
  return competitors.map(([name], index) => {
    const opsPerSecond = median(samples[index]);
    return { name, opsPerSecond, microseconds: 1e6 / opsPerSecond };
  });
}

/** @param {number} value */
export const ops = (value) => Math.round(value).toLocaleString('en-US');
/** @param {number} value */
export const us = (value) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} µs`;

/**
 * A markdown table of measured competitors, with ratios to the first.
 * @param {string} title
 * @param {{ name: string, opsPerSecond: number, microseconds: number }[]} results
 */
export function table(title, results) {
  const base = results[0].opsPerSecond;
  const rows = results.map(({ name, opsPerSecond, microseconds }) =>
    `| ${name} | ${ops(opsPerSecond)} | ${us(microseconds)} | ${(opsPerSecond / base).toFixed(2)}x |`);
  return [`**${title}**`, '', '| implementation | median ops/s | per op | speed vs first |', '|---|---:|---:|---:|', ...rows, ''].join('\n');
}

/**
 * A target row: `measured` says how it came out; `met` is decided from the numbers by the caller.
 * @typedef {{ what: string, goal: string, measured: string, met: boolean, why?: string }} Target
 */

/**
 * Writes artifacts/bench/<name>.json for bench/report.mjs.
 * @param {string} name
 * @param {{ host: string, command: string, targets: Target[], details: string }} report
 */
export function writeReport(name, report) {
  const dir = new URL('../artifacts/bench/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(report, null, 2)}\n`);
}
