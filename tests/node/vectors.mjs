// Loads the shared vectors and checks a package build against them with the shared runner.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { caseCount, runVectors } from '../shared/vector-runner.js';

/** The three vector files, as the runner takes them. */
export function loadVectors() {
  const read = (/** @type {string} */ name) => JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8'));
  return { signature: read('signature'), parse: read('parse'), construct: read('construct') };
}

/**
 * Every case passes, and none was skipped.
 * @param {typeof import('caspay-webhooks')} loaded
 */
export function assertVectorsPass(loaded) {
  const vectors = loadVectors();
  const results = runVectors(loaded, vectors);
  assert.equal(results.length, caseCount(vectors));
  assert.deepEqual(results.filter((r) => !r.ok), []);
}
