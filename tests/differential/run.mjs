// The cross-host differential fuzzer: the same seeded cases through the Rust core, the npm
// package in Node (ESM and CommonJS builds), workerd, Chromium and both PHP engines; every
// host must give the same verdict, code, field path and event for every case.
//
//   node tests/differential/run.mjs [--seed 20261128] [--count 3000] [--reliability RELIABILITY.md]
//
// Bounded (a fixed seed, a few thousand cases per host) so `make test` runs it; a new seed
// explores new cases. A disagreement prints the case and exits 1: turn it into a vector in
// tests/vectors/generate.py and fix the host that is wrong.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as esm from 'caspay-webhooks';
import { buildCases } from './cases.mjs';
import { runCases } from './host.js';
import { startWorker } from '../worker/harness.mjs';
import { launchChromium } from '../browser/browser.mjs';
import { startServer } from '../../www/serve.mjs';
import { writeSection } from '../load/reliability-md.mjs';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '20261128' }, count: { type: 'string', default: '3000' }, reliability: { type: 'string' } } });
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

const started = Date.now();
const cases = buildCases({ seed: Number(values.seed), count: Number(values.count) });
const dir = mkdtempSync(join(tmpdir(), 'caspay-diff-'));
const casesFile = join(dir, 'cases.json');
writeFileSync(casesFile, JSON.stringify(cases));

/** @type {Record<string, import('./host.js').CaseOutcome[]>} */
const hosts = {};
try {
  const cargo = ['run', '--quiet', '--example', 'differential-host'];
  hosts.rust = JSON.parse(execFileSync('cargo', cargo, { cwd: ROOT, input: readFileSync(casesFile), maxBuffer: 1 << 30 }).toString());

  hosts['node-esm'] = runCases(esm, cases);
  const cjs = createRequire(import.meta.url)('caspay-webhooks');
  hosts['node-cjs'] = runCases(cjs, cases);

  const worker = await startWorker({ entry: join(HERE, 'worker.js') });
  try {
    const response = await fetch(worker.url, { method: 'POST', body: JSON.stringify(cases) });
    if (!response.ok) throw new Error(`workerd answered ${response.status}: ${await response.text()}\n${worker.logs.join('\n')}`);
    hosts.workerd = await response.json();
  } finally {
    await worker.dispose();
  }

  const server = await startServer({ mounts: { '/tests/differential/': HERE } });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    hosts.chromium = await page.evaluate(async (all) => {
      const api = await import(`${location.origin}/dist/caspay-webhooks.js`);
      const host = await import(`${location.origin}/tests/differential/host.js`);
      return host.runCases(api, all);
    }, cases);
  } finally {
    await browser.close();
    await server.close();
  }

  const php = JSON.parse(execFileSync('php', ['-d', 'ffi.enable=1', '-d', 'memory_limit=1G', join(HERE, 'host.php'), casesFile], {
    cwd: ROOT, maxBuffer: 1 << 30, env: process.env,
  }).toString());
  hosts['php-wasm'] = php.wasm;
  hosts['php-pure'] = php.php;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Compare every host with the Rust core.
/** @type {string[]} */
const disagreements = [];
/** @type {Record<string, number>} */
const verdicts = {};
for (const [index, c] of cases.entries()) {
  const reference = hosts.rust[index];
  for (const call of /** @type {const} */ (['construct', 'parse'])) {
    const key = `${call}:${reference[call].code ?? 'event'}`;
    verdicts[key] = (verdicts[key] ?? 0) + 1;
  }
  for (const [name, outcomes] of Object.entries(hosts)) {
    if (name === 'rust') continue;
    for (const call of /** @type {const} */ (['construct', 'parse'])) {
      const other = outcomes[index]?.[call];
      if (!sameOutcome(reference[call], other)) {
        const where = reference[call].event !== undefined && other?.event !== undefined ? ` (first difference at ${difference(reference[call].event, other.event, 'event')})` : '';
        disagreements.push(`case ${index} ${call}: rust ${describe(reference[call])} ≠ ${name} ${describe(other)}${where}\n  body ${JSON.stringify(Buffer.from(c.body, 'hex').toString('latin1').slice(0, 300))}\n  signature ${JSON.stringify(c.signature)} options ${JSON.stringify(c.options)}`);
      }
    }
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const verdictLine = Object.entries(verdicts).sort().map(([k, n]) => `${k} ${n}`).join(', ');
console.log(`differential: ${cases.length} cases (seed ${values.seed}) × ${Object.keys(hosts).length} hosts (${Object.keys(hosts).join(', ')}) in ${seconds} s`);
console.log(`  verdicts: ${verdictLine}`);
if (values.reliability) writeSection(values.reliability, 'differential', `## Cross-host differential fuzzing

\`node tests/differential/run.mjs --seed ${values.seed} --count ${cases.length}\` (\`make test-differential\` runs it in \`make test\`; \`make reliability\` writes this section), ${new Date().toISOString().slice(0, 10)}: ${cases.length} cases (mutations of the shared vectors' bodies, hostile numbers, deep nesting, duplicate keys, invalid UTF-8, lone surrogates, bodies at and over the size limit; valid, rotated, malformed and wrong signatures), each through \`constructEvent\` and \`parseEvent\` in ${Object.keys(hosts).length} hosts (${Object.keys(hosts).join(', ')}): **${disagreements.length} disagreements** in verdict, code, field path or event.

Outcomes of the Rust core: ${verdictLine}.`);
if (disagreements.length > 0) {
  console.error(`${disagreements.length} disagreements; the first ones:\n${disagreements.slice(0, 10).join('\n')}`);
  process.exit(1);
}
console.log('  every host agrees on every case');

/**
 * @param {import('./host.js').Outcome} a
 * @param {import('./host.js').Outcome | undefined} b
 */
function sameOutcome(a, b) {
  if (b === undefined) return false;
  if (a.code !== undefined || b.code !== undefined) return a.code === b.code && (a.field ?? null) === (b.field ?? null);
  return sameJson(a.event, b.event);
}

/**
 * JSON values equal by value; key order is ignored, and an empty array equals an empty
 * object (PHP's arrays cannot tell them apart).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length === 0 && kb.length === 0) return true;
  if (Array.isArray(a) !== Array.isArray(b) || ka.length !== kb.length) return false;
  const ra = /** @type {Record<string, unknown>} */ (a);
  const rb = /** @type {Record<string, unknown>} */ (b);
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameJson(ra[k], rb[k]));
}

/**
 * The path of the first place two JSON values differ, and the two values there.
 * @param {unknown} a
 * @param {unknown} b
 * @param {string} path
 * @returns {string}
 */
function difference(a, b, path) {
  if (sameJson(a, b)) return '';
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ra = /** @type {Record<string, unknown>} */ (a);
    const rb = /** @type {Record<string, unknown>} */ (b);
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      const inner = difference(ra[key], rb[key], `${path}.${key}`);
      if (inner) return inner;
    }
  }
  return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** @param {import('./host.js').Outcome | undefined} o */
function describe(o) {
  if (o === undefined) return 'nothing';
  if (o.code !== undefined) return `${o.code}${o.field ? ` at ${o.field}` : ''}`;
  return 'an event';
}
