// The shared runner itself, in Node: it passes the package, and it reports a wrong
// expectation as a failure rather than passing everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from '../../pkg/src/node.js';
import { bytesOf, caseCount, jsonEqual, runVectors } from './vector-runner.js';

/** @returns {import('./vector-runner.js').VectorFiles} */
const loadVectors = () => {
  const load = (/** @type {string} */ name) => JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8'));
  return { signature: load('signature'), parse: load('parse'), construct: load('construct') };
};

test('every case passes in Node', () => {
  const vectors = loadVectors();
  const results = runVectors(api, vectors);
  assert.equal(results.length, caseCount(vectors));
  assert.deepEqual(results.filter((r) => !r.ok), []);
});

test('a wrong expectation in each file is reported, with the case name', () => {
  const vectors = loadVectors();
  vectors.signature.cases[0].expected = 'signature_mismatch';
  const parsed = vectors.parse.cases.find((c) => c.expected.event);
  assert.ok(parsed);
  /** @type {any} */ (parsed.expected.event).payment.amount = '1';
  const constructed = vectors.construct.cases.find((c) => c.expected.secretIndex !== undefined);
  assert.ok(constructed);
  constructed.expected.secretIndex = 7;
  const failed = runVectors(api, vectors).filter((r) => !r.ok).map((r) => r.name);
  assert.deepEqual(failed, [`signature: ${vectors.signature.cases[0].name}`, `parse: ${parsed.name}`, `construct: ${constructed.name}`]);
});

test('byte specs and JSON equality', () => {
  assert.deepEqual([...bytesOf({ hex: '00ff7f' })], [0, 255, 127]);
  assert.deepEqual([...bytesOf({ repeat: 'ab', length: 5 })], [97, 98, 97, 98, 97]);
  assert.deepEqual([...bytesOf({ utf8: 'é' })], [0xc3, 0xa9]);
  assert.ok(jsonEqual({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!jsonEqual([1, 2], { 0: 1, 1: 2 }));
  assert.ok(!jsonEqual({ a: '1' }, { a: 1 }));
});
