// The example Worker (examples/cloudflare-worker) on real workerd, over real HTTP on
// 127.0.0.1, with genuine deliveries signed by the package in Node: answers, the Durable
// Object inbox (simultaneous, concurrent and re-serialized copies processed once), the
// operator's routes, and the log lines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventTypes, parseEvent, sampleEvent, sign } from '../../pkg/src/node.js';
import { EXAMPLE_ENTRY, eventually, ledgerOf, startWorker } from './harness.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const ADMIN_TOKEN = 'admin-token-for-the-tests';
// Long enough that a 200 arriving before it proves the work did not hold the response up,
// even on a loaded machine.
const PROCESSING_DELAY_MS = 1000;
// Every type that carries payment or subscription details, from the package's own list.
const DETAILED_TYPES = eventTypes().filter((type) => type.startsWith('payment.') || type.startsWith('subscription.'));
const SHAPES = /** @type {const} */ (['a', 'b', 'c']);

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let worker;
/** @type {Awaited<ReturnType<typeof ledgerOf>>} */
let ledger;
let seed = 0;

before(async () => {
  worker = await startWorker({
    entry: EXAMPLE_ENTRY,
    bindings: { CASPAY_WEBHOOK_SECRET: SECRET, INBOX_ADMIN_TOKEN: ADMIN_TOKEN, PROCESSING_DELAY_MS: String(PROCESSING_DELAY_MS) },
  });
  ledger = await ledgerOf(worker.mf);
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

/** A fresh delivery (its own id, or for shape C its own content). */
function freshEvent(/** @type {any} */ type, /** @type {'a'|'b'|'c'} */ shape) {
  return sampleEvent(type, shape, { seed: `w${process.pid}x${++seed}` });
}

/** The ledger's record of `idempotencyKey` once the work ran, or null after `timeoutMs`. */
async function processedRecord(/** @type {string} */ idempotencyKey, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await ledger.get(idempotencyKey);
    if (record !== null || Date.now() > deadline) return record;
    await sleep(50);
  }
}

/**
 * The same content with every object's keys in reverse order: a copy with other bytes.
 * @param {unknown} value
 * @returns {unknown}
 */
function keysReversed(value) {
  if (Array.isArray(value)) return value.map(keysReversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, keysReversed(v)]));
}

/** @param {string} path */
async function adminGet(path, token = ADMIN_TOKEN) {
  const response = await fetch(new URL(path, worker.url), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, json: await response.json() };
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

test('the 200 goes out once the event is recorded, before the slow processing in its object', async () => {
  const body = freshEvent('payment.completed', 'a');
  const started = performance.now();
  const answer = await deliver(body, signedHeaders(body));
  const elapsed = performance.now() - started;
  assert.equal(answer.status, 200);
  assert.ok(elapsed < PROCESSING_DELAY_MS, `answered in ${elapsed} ms`);
  const key = parseEvent(body).idempotencyKey;
  assert.equal(await ledger.get(key), null, 'not processed yet when the 200 arrived');
  const entry = (await adminGet(`/inbox/${encodeURIComponent(key)}`)).json.entry;
  assert.ok(['received', 'processing'].includes(entry.state), `recorded (${entry.state})`);
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
    assert.equal((await ledger.get(key))?.times, 1, `shape ${shape}`);
    const { entry } = (await adminGet(`/inbox/${encodeURIComponent(key)}`)).json;
    assert.deepEqual([entry.state, entry.attempts], ['done', 1], `shape ${shape}`);
    assert.deepEqual(await deliver(body, headers), { status: 200, json: { duplicate: true } }, 'a copy of a done event');
  }
});

test('8 simultaneous copies of a new event: one is recorded and processed once', async () => {
  const body = freshEvent('payment.completed', 'c');
  const headers = signedHeaders(body);
  const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(body, headers)));
  assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers));
  assert.equal(answers.filter((a) => a.json.received).length, 1);
  assert.equal(answers.filter((a) => a.json.duplicate).length, 7);
  const key = parseEvent(body).idempotencyKey;
  assert.equal((await processedRecord(key))?.times, 1);
  await sleep(PROCESSING_DELAY_MS + 200);
  assert.equal((await ledger.get(key))?.times, 1);
});

test('1,000 retries sent at the same time as their originals: none processed twice', async () => {
  const EVENTS = 1000;
  const PAIRS_AT_ONCE = 32;
  const bodies = Array.from({ length: EVENTS }, (_, i) => freshEvent(i % 2 ? 'payment.received' : 'subscription.renewed', SHAPES[i % 3]));
  /** @type {{ status: number, json: any }[][]} */
  const answers = [];
  let next = 0;
  await Promise.all(Array.from({ length: PAIRS_AT_ONCE }, async () => {
    while (next < EVENTS) {
      const i = next++;
      // The retry: sometimes the same bytes, sometimes re-serialized like a re-send from jsonb.
      const original = bodies[i];
      const retry = i % 2 ? original : JSON.stringify(keysReversed(JSON.parse(original)));
      answers[i] = await Promise.all([deliver(original, signedHeaders(original)), deliver(retry, signedHeaders(retry))]);
    }
  }));
  const keys = bodies.map((body) => parseEvent(body).idempotencyKey);
  assert.equal(new Set(keys).size, EVENTS);
  for (const [i, pair] of answers.entries()) {
    assert.deepEqual(pair.map((a) => a.status), [200, 200], `event ${i}`);
    assert.equal(pair.filter((a) => a.json.received).length, 1, `event ${i}: one of the two copies records it`);
  }
  const counts = await eventually(async () => {
    const all = await ledger.all();
    return keys.every((key) => all[key] !== undefined) ? all : undefined;
  }, 'every event to be processed', 60_000);
  await sleep(PROCESSING_DELAY_MS + 500);
  const after = await ledger.all();
  const twice = keys.filter((key) => after[key].times !== 1);
  assert.deepEqual(twice, [], 'processed twice');
  assert.equal(keys.filter((key) => counts[key] === undefined).length, 0, 'lost');
});

test("5 re-serialized copies of one shape-C event (the vectors' content-key cases): one processing", async () => {
  const vectors = JSON.parse(readFileSync(new URL('../vectors/parse.json', import.meta.url), 'utf8')).cases;
  /** @type {{ name: string, body: { utf8: string }, expected: { event: { idempotencyKey: string } } }[]} */
  const copies = vectors.filter((/** @type {{ name: string }} */ c) => c.name.startsWith('content key: one event') && !c.name.includes(' with '));
  assert.equal(copies.length, 5);
  const key = copies[0].expected.event.idempotencyKey;
  assert.ok(copies.every((c) => c.expected.event.idempotencyKey === key));
  assert.equal(new Set(copies.map((c) => c.body.utf8)).size, 5, 'five different byte strings');
  const answers = await Promise.all(copies.map((c) => deliver(c.body.utf8, signedHeaders(c.body.utf8))));
  assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers));
  assert.equal(answers.filter((a) => a.json.received).length, 1);
  const record = await processedRecord(key);
  await sleep(PROCESSING_DELAY_MS + 200);
  assert.equal((await ledger.get(key))?.times, 1);
  assert.deepEqual(record?.amount, { value: '1e-7', unit: 'cspr', motes: '100' });
});

test("the operator's routes need the token; nothing is failed or dead here", async () => {
  assert.equal((await adminGet('/inbox')).status, 200);
  assert.deepEqual((await adminGet('/inbox?state=dead')).json, { entries: [] });
  assert.deepEqual((await adminGet('/inbox?state=failed')).json, { entries: [] });
  assert.equal((await adminGet('/inbox', 'wrong-token-for-the-tests-0000000')).status, 401);
  assert.equal((await fetch(new URL('/inbox', worker.url))).status, 401);
  assert.equal((await adminGet('/inbox/evt_never_sent')).status, 404);
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
  assert.equal((await adminGet(`/inbox/${encodeURIComponent(parseEvent(tampered).idempotencyKey)}`)).status, 404, 'nothing recorded');
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
  // The reader's message (not the verifier's) shows the body was cut off while read.
  const cutOff = { status: 413, json: { error: 'payload_too_large', message: 'The body exceeds the limit of 262144 bytes.' } };
  assert.deepEqual(declared, cutOff);
  assert.deepEqual(streamed, cutOff);
});

test('a compressed body is 415 unsupported_encoding', async () => {
  const body = freshEvent('payment.completed', 'a');
  const answer = await deliver(body, { ...signedHeaders(body), 'content-encoding': 'gzip' });
  assert.equal(answer.status, 415);
  assert.equal(answer.json.error, 'unsupported_encoding');
});

test('other methods are 405 and other paths 404', async () => {
  const get = await fetch(new URL('/webhook', worker.url));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal((await deliver('{}', {}, '/elsewhere')).status, 404);
});

test('one log line per delivery and one per finished run, without the secret', async () => {
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
  await processedRecord(key);
  const runs = await eventually(async () => {
    const found = worker.logs.filter((line) => line.startsWith('processed ') && line.includes(key));
    return found.length > 0 ? found : undefined;
  }, 'the run\'s log line');
  assert.deepEqual(runs, [`processed subscription.renewed ${key} attempt 1`]);
  assert.ok(worker.logs.every((line) => !line.includes(SECRET) && !line.includes(ADMIN_TOKEN)));
});
