// The example Worker (examples/cloudflare-worker) on real workerd, over real HTTP on
// 127.0.0.1, with genuine deliveries signed by the package in Node.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventTypes, parseEvent, sampleEvent, sign } from '../../pkg/src/node.js';
import { EXAMPLE_DIR, startWorker } from './harness.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
// Long enough that a 200 arriving before it proves the work did not hold the response up,
// even on a loaded machine.
const PROCESSING_DELAY_MS = 1000;
// Every type that carries payment or subscription details, from the package's own list.
const DETAILED_TYPES = eventTypes().filter((type) => type.startsWith('payment.') || type.startsWith('subscription.'));
const SHAPES = /** @type {const} */ (['a', 'b', 'c']);

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let worker;
/** @type {import('miniflare').ReplaceWorkersTypes<KVNamespace>} */
let kv;
let seed = 0;

before(async () => {
  worker = await startWorker({
    entry: `${EXAMPLE_DIR}src/index.js`,
    bindings: { CASPAY_WEBHOOK_SECRET: SECRET, PROCESSING_DELAY_MS: String(PROCESSING_DELAY_MS) },
    kvNamespaces: ['WEBHOOKS'],
  });
  kv = await worker.mf.getKVNamespace('WEBHOOKS');
});
after(() => worker?.dispose());

/**
 * @param {string | Uint8Array | ReadableStream} body
 * @param {Record<string, string>} [headers]
 * @param {string} [path]
 */
async function deliver(body, headers = {}, path = '/webhook') {
  const response = await fetch(new URL(path, worker.url), {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'CasPay-Webhook/1.0', ...headers },
    // @ts-ignore Node's fetch needs this for a streamed (chunked) body
    duplex: 'half',
  });
  return { status: response.status, json: await response.json() };
}

/** @param {string} body */
const signedHeaders = (body, secret = SECRET) => ({
  'x-caspay-signature': sign(body, secret),
  'x-caspay-event': String(JSON.parse(body).type ?? JSON.parse(body).event),
  'x-caspay-timestamp': new Date().toISOString(),
});

/** A fresh delivery (its own id, or for shape C its own body digest). */
function freshEvent(/** @type {any} */ type, /** @type {'a'|'b'|'c'} */ shape) {
  return sampleEvent(type, shape, { seed: `w${process.pid}x${++seed}` });
}

/** @param {string} idempotencyKey */
async function processedRecord(idempotencyKey, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await kv.get(`processed:${idempotencyKey}`, 'json');
    if (record !== null || Date.now() > deadline) return /** @type {any} */ (record);
    await sleep(50);
  }
}

describe('every payment and subscription type', { concurrency: true }, () => {
  for (const type of DETAILED_TYPES) {
    test(`${type} in every shape is accepted and processed once, with its exact amount`, async () => {
      await Promise.all(SHAPES.map(async (shape) => {
        const body = freshEvent(type, shape);
        const event = parseEvent(body);
        const answer = await deliver(body, signedHeaders(body));
        assert.deepEqual(answer, { status: 200, json: { received: true } }, `${type} ${shape}`);
        const record = await processedRecord(event.idempotencyKey);
        const details = event.payment ?? event.subscription;
        assert.ok(details, `${type} ${shape} has details`);
        assert.deepEqual(record, { times: 1, type, amount: details.amount, currency: details.currency }, `${type} ${shape}`);
      }));
    });
  }
});

test('the 200 goes out before the slow processing, which finishes in waitUntil', async () => {
  const body = freshEvent('payment.completed', 'a');
  const started = performance.now();
  const answer = await deliver(body, signedHeaders(body));
  const elapsed = performance.now() - started;
  assert.equal(answer.status, 200);
  assert.ok(elapsed < PROCESSING_DELAY_MS, `answered in ${elapsed} ms`);
  const key = parseEvent(body).idempotencyKey;
  assert.equal(await kv.get(`processed:${key}`), null, 'not processed yet when the 200 arrived');
  assert.equal((await processedRecord(key))?.times, 1);
});

test('the same delivery twice: the second is a duplicate and the work happens once', async () => {
  for (const shape of SHAPES) {
    const body = freshEvent('payment.received', shape);
    const headers = signedHeaders(body);
    assert.deepEqual(await deliver(body, headers), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(body, headers), { status: 200, json: { duplicate: true } });
    const key = parseEvent(body).idempotencyKey;
    assert.equal((await processedRecord(key))?.times, 1);
    // Leave time for a wrongly started second processing to land before checking again.
    await sleep(PROCESSING_DELAY_MS + 200);
    assert.equal((await kv.get(`processed:${key}`, 'json'))?.times, 1, `shape ${shape}`);
    assert.notEqual(await kv.get(`dedupe:${key}`), null, 'the claim is in KV');
  }
});

/**
 * @param {{ status: number, json: any }} answer
 * @param {number} status
 * @param {string} code
 */
function assertRejected(answer, status, code) {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.equal(answer.json.error, code);
  assert.equal(typeof answer.json.message, 'string');
}

test('a tampered body is 401 signature_mismatch and nothing is processed', async () => {
  const body = freshEvent('payment.completed', 'a');
  const headers = signedHeaders(body);
  const tampered = body.replace('"amount":100000000000', '"amount":900000000000');
  assert.notEqual(tampered, body);
  assertRejected(await deliver(tampered, headers), 401, 'signature_mismatch');
  assert.equal(await processedRecord(parseEvent(tampered).idempotencyKey, 600), null);
});

test('a body signed with another secret is 401 signature_mismatch', async () => {
  const body = freshEvent('subscription.created', 'b');
  assertRejected(await deliver(body, signedHeaders(body, 'whsec_000000000000000000000000000000ab')), 401, 'signature_mismatch');
});

test("the dashboard's test button (X-CasPay-Signature: test_signature) is 401 invalid_signature_format", async () => {
  const body = sampleEvent('test.webhook', 'b');
  assertRejected(await deliver(body, { 'x-caspay-signature': 'test_signature', 'x-caspay-event': 'test.webhook' }), 401, 'invalid_signature_format');
});

test('no signature header is 401 missing_signature', async () => {
  assertRejected(await deliver(freshEvent('payment.completed', 'c')), 401, 'missing_signature');
});

test('a signed body that is not JSON is 400 invalid_json; a signed non-event is 400 invalid_event', async () => {
  const notJson = '{"id":"evt_1","type":';
  assertRejected(await deliver(notJson, { 'x-caspay-signature': sign(notJson, SECRET) }), 400, 'invalid_json');
  const notEvent = '{"id":"evt_2","type":"payment.completed","data":{"payment":{"id":"pay_2","currency":"CSPR"}}}';
  assertRejected(await deliver(notEvent, { 'x-caspay-signature': sign(notEvent, SECRET) }), 400, 'invalid_event');
});

test('a body over 256 KiB is 413, by Content-Length and by its real size when streamed', async () => {
  const big = `{"pad":"${'x'.repeat(256 * 1024)}"}`;
  const declared = await deliver(big, { 'x-caspay-signature': sign(big, SECRET) });
  // No Content-Length: the Worker has to count the bytes as they arrive.
  const bytes = new TextEncoder().encode(big);
  const stream = new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 16384) controller.enqueue(bytes.subarray(at, at + 16384));
      controller.close();
    },
  });
  const streamed = await deliver(stream, { 'x-caspay-signature': sign(big, SECRET) });
  // The Worker's own message (not the verifier's) shows the body was cut off while read.
  const cutOff = { status: 413, json: { error: 'payload_too_large', message: 'The body exceeds 262144 bytes.' } };
  assert.deepEqual(declared, cutOff);
  assert.deepEqual(streamed, cutOff);
});

test('other methods are 405 and other paths 404', async () => {
  const get = await fetch(new URL('/webhook', worker.url));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal((await deliver('{}', {}, '/elsewhere')).status, 404);
});

test('one log line per delivery, without the secret', async () => {
  const before = worker.logs.filter((line) => line.startsWith('caspay-webhook ')).length;
  const body = freshEvent('subscription.renewed', 'c');
  await deliver(body, signedHeaders(body));
  await deliver(body, signedHeaders(body));
  await deliver(body, { 'x-caspay-signature': 'test_signature' });
  /** @type {string[]} */
  let lines = [];
  for (let i = 0; i < 40 && lines.length < 3; i++) {
    await sleep(50);
    lines = worker.logs.filter((line) => line.startsWith('caspay-webhook ')).slice(before);
  }
  const key = parseEvent(body).idempotencyKey;
  assert.deepEqual(lines, [
    `caspay-webhook 200 accepted subscription.renewed ${key}`,
    `caspay-webhook 200 duplicate subscription.renewed ${key}`,
    'caspay-webhook 401 rejected invalid_signature_format',
  ]);
  assert.ok(worker.logs.every((line) => !line.includes(SECRET)));
});
