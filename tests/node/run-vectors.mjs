// Runs the shared vectors (tests/vectors/) against a loaded package API and reports
// every disagreement. The same expectations as tests/vectors.rs, the Rust reference.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const load = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')).cases;

/** Bytes of a body or secret spec: {utf8} | {hex} | {repeat, length}. */
export function bytes(spec) {
  if ('utf8' in spec) return new TextEncoder().encode(spec.utf8);
  if ('hex' in spec) return Uint8Array.from(Buffer.from(spec.hex, 'hex'));
  const pattern = new TextEncoder().encode(spec.repeat);
  const out = new Uint8Array(spec.length);
  for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length];
  return out;
}

function assertError(name, error, expected) {
  assert.equal(error?.name, 'WebhookError', `${name}: ${error}`);
  assert.equal(error.code, expected.code, `${name}: ${error.message}`);
  if ('field' in expected) assert.equal(error.field, expected.field, name);
}

/** @param {typeof import('caspay-webhooks')} api */
export function runSignatureVectors(api) {
  for (const c of load('signature.json')) {
    const body = bytes(c.body);
    const secret = bytes(c.secret);
    const signature = c.signature ?? '';
    assert.equal(api.verifyWebhook(body, signature, secret), c.expected === 'valid', c.name);
    if (c.expected !== 'valid') {
      assert.throws(() => api.constructEvent(body, signature, secret), (e) => (assertError(c.name, e, { code: c.expected }), true));
    }
    if (c.digest) assert.equal(api.sign(body, secret), c.digest, c.name);
  }
}

/** @param {typeof import('caspay-webhooks')} api */
export function runParseVectors(api) {
  for (const c of load('parse.json')) {
    let event;
    let error;
    try {
      event = api.parseEvent(bytes(c.body), c.options ?? {});
    } catch (e) {
      error = e;
    }
    if (c.expected.event) assert.deepEqual(event, c.expected.event, `${c.name}: ${error?.message ?? ''}`);
    else assertError(c.name, error, c.expected.error);
  }
}

/** @param {typeof import('caspay-webhooks')} api */
export function runConstructVectors(api) {
  for (const c of load('construct.json')) {
    const body = bytes(c.body);
    const run = () => api.constructEvent(body, c.signature, c.secrets, c.options ?? {});
    if ('secretIndex' in c.expected) {
      assert.equal(run().idempotencyKey.length > 0, true, c.name);
      assert.equal(new api.Webhook(c.secrets).verifySignature(body, c.signature), c.expected.secretIndex, c.name);
    } else {
      assert.throws(run, (e) => (assertError(c.name, e, c.expected.error), true));
    }
  }
}
