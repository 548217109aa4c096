// What every receiver answers, whatever the framework, before it records anything: the
// stable codes with their statuses.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { sampleEvent, sign } from '../../pkg/src/node.js';
import { SECRET, deliver } from './support.mjs';

/**
 * @param {string} url
 * @param {{ methodNotAllowed?: boolean }} [options] whether the route answers other methods
 *   itself with 405 (a framework's router answers 404 for a route it does not have)
 */
export async function rejections(url, { methodNotAllowed = true } = {}) {
  const body = sampleEvent('payment.completed', 'a', { seed: 'rejected' });
  const code = async (/** @type {Promise<{ status: number, json: any }>} */ answer) => {
    const { status, json } = await answer;
    return [status, json?.error];
  };
  assert.deepEqual(await code(deliver(url, body.replace('100000000000', '900000000000'), { signature: sign(body, SECRET) })), [401, 'signature_mismatch'], 'tampered body');
  assert.deepEqual(await code(deliver(url, body, { signature: sign(body, 'whsec_another0000000000000000000000000') })), [401, 'signature_mismatch'], 'another secret');
  assert.deepEqual(await code(deliver(url, body, { signature: 'test_signature' })), [401, 'invalid_signature_format'], "the dashboard's test button");
  assert.deepEqual(await code(deliver(url, body, { signature: null })), [401, 'missing_signature'], 'no signature');
  assert.deepEqual(await code(deliver(url, '{"type":')), [400, 'invalid_json'], 'signed, not JSON');
  assert.deepEqual(await code(deliver(url, '{"type":"payment.completed","data":{"payment":{"id":"p"}}}')), [400, 'invalid_event'], 'signed, no amount');
  const large = JSON.stringify({ type: 'payment.completed', data: { pad: 'x'.repeat(300 * 1024) } });
  assert.deepEqual(await code(deliver(url, large)), [413, 'payload_too_large'], 'over 256 KiB');
  const gzipped = await fetch(url, { method: 'POST', body: gzipSync(body), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-caspay-signature': sign(body, SECRET) } });
  assert.deepEqual([gzipped.status, (await gzipped.json()).error], [415, 'unsupported_encoding'], 'gzip');
  if (methodNotAllowed) assert.equal((await fetch(url)).status, 405, 'GET');
}
