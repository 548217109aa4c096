// The shared vectors inside workerd: the same cases Rust and Node pass, run by the
// package's Workers build on the real runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { caseCount } from '../shared/vector-runner.js';
import { startWorker } from './harness.mjs';

const load = (/** @type {string} */ name) => JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8'));
/** @type {Awaited<ReturnType<typeof startWorker>>} */
let worker;

before(async () => {
  worker = await startWorker({ entry: fileURLToPath(new URL('vectors-worker.js', import.meta.url)) });
});
after(() => worker?.dispose());

test('every shared vector passes inside workerd', async () => {
  const response = await fetch(new URL('/vectors', worker.url));
  assert.equal(response.status, 200);
  /** @type {{ name: string, ok: boolean, detail: string }[]} */
  const results = await response.json();
  assert.equal(results.length, caseCount({ signature: load('signature'), parse: load('parse'), construct: load('construct') }));
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
  assert.deepEqual(failed, []);
});
