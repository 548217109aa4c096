// Behaviour of the package beyond the shared vectors: payload and header forms, messages,
// rotation, redaction, the verifier cache, options, and recovery from a trapped instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
// The sources the published dist/node.mjs is bundled from: some tests reach into the engine
// (memory size, instance replacement), which must be the instance the API uses.
// tests/node/vectors.test.mjs and the others import the package itself.
import * as api from '../../pkg/src/node.js';
import * as engine from '../../pkg/src/engine.js';

const { Webhook, WebhookError, constructEvent, parseEvent, sampleEvent, sign, verifyWebhook } = api;
const { glue } = engine;
const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const body = sampleEvent('payment.completed', 'a', { seed: 'api', created: 1795773600 });
const signature = sign(body, SECRET);

const code = (expected) => (error) => error instanceof WebhookError && error.code === expected;

test('every payload form verifies the same bytes', () => {
  const bytes = new TextEncoder().encode(body);
  for (const payload of [body, bytes, Buffer.from(body), bytes.buffer, new DataView(bytes.buffer)]) {
    assert.equal(verifyWebhook(payload, signature, SECRET), true);
    assert.equal(constructEvent(payload, signature, SECRET).id, 'evt_api');
  }
});

test('the signature is read from Headers, Node headers and plain records, case-insensitively', () => {
  const webhook = new Webhook(SECRET);
  const sources = [
    new Headers({ 'X-CasPay-Signature': signature }),
    { 'x-caspay-signature': signature, 'content-type': 'application/json' },
    { 'X-CASPAY-SIGNATURE': signature },
    `sha256=${signature.toUpperCase()}`,
  ];
  for (const source of sources) assert.equal(webhook.verify(body, source).payment?.amount.motes, '100000000000');
  assert.throws(() => webhook.verify(body, {}), code('missing_signature'));
  assert.throws(() => webhook.verify(body, { 'x-caspay-signature': [signature, signature] }), code('invalid_signature_format'));
});

test('a parsed object is refused with a message that says how to get the raw body', () => {
  assert.throws(
    () => constructEvent(JSON.parse(body), signature, SECRET),
    (e) => code('invalid_payload')(e) && /raw request body/.test(e.message) && /express\.raw/.test(e.message) && /request\.arrayBuffer\(\)/.test(e.message) && /byte order mark/.test(e.message),
  );
  assert.equal(verifyWebhook(JSON.parse(body), signature, SECRET), false);
});

test('verifyWebhook never throws, whatever it is given', () => {
  const garbage = [undefined, null, 42, {}, [], 'test_signature', Symbol('x'), () => 1];
  for (const a of garbage) for (const b of garbage) for (const c of [...garbage, '', SECRET]) {
    assert.equal(verifyWebhook(a, b, c), false);
  }
});

test('rotation: the previous secret still verifies, and reports its index', () => {
  const webhook = new Webhook(['whsec_new_secret_after_rotation_000', SECRET]);
  assert.equal(webhook.verifySignature(body, signature), 1);
  assert.equal(webhook.sign(body), sign(body, 'whsec_new_secret_after_rotation_000'));
  assert.throws(() => new Webhook([]), code('invalid_secret'));
  assert.throws(() => new Webhook(''), code('invalid_secret'));
});

test('secrets never appear in logs or JSON', () => {
  const webhook = new Webhook(SECRET);
  assert.doesNotMatch(inspect(webhook), /Kq8sT2/);
  assert.doesNotMatch(JSON.stringify({ webhook }), /Kq8sT2/);
});

test('amounts stay exact beyond 2^53, also inside data', () => {
  const big = '{"id":"evt_big","type":"payment.completed","data":{"payment":{"id":"pay_1","amount":123456789012345678901,"currency":"CSPR"}}}';
  const event = parseEvent(big);
  assert.deepEqual(event.payment?.amount, { value: '123456789012345678901', unit: 'motes', motes: '123456789012345678901' });
  assert.equal(/** @type {any} */ (event.data).payment.amount, '123456789012345678901');
  assert.equal(api.motesToCspr(event.payment?.amount.motes ?? ''), '123456789012.345678901');
  const flat = parseEvent('{"event":"payment.received","data":{"payment_id":"p","amount":12.5,"currency":"CSPR","fee":12345678901234567890}}');
  assert.deepEqual(flat.payment?.amount, { value: '12.5', unit: 'cspr', motes: '12500000000' });
  assert.equal(/** @type {any} */ (flat.data).fee, '12345678901234567890', 'unsafe integers stay text');
  assert.throws(() => api.motesToCspr('1.5'), RangeError);
});

test('data, parsed when first read, is an ordinary field of a plain object', () => {
  const first = parseEvent(body);
  // The next parse overwrites the record in WebAssembly memory: the first event's data
  // must not come from it.
  const second = parseEvent(sampleEvent('payment.failed', 'a', { seed: 'other', created: 1795773600 }));
  const data = /** @type {any} */ (first.data);
  assert.equal(data.payment.id, 'pay_api');
  assert.equal(/** @type {any} */ (second.data).payment.id, 'pay_other');
  assert.equal(first.data, data, 'parsed once, then the same object');
  assert.equal(Object.getPrototypeOf(first), Object.prototype);
  assert.deepEqual(Object.keys(first).at(-1), 'data');
  assert.deepEqual(Object.getOwnPropertySymbols(first), []);
  const plain = JSON.parse(JSON.stringify(first));
  assert.equal(plain.data.payment.id, 'pay_api');
  assert.deepStrictEqual(first, plain);
  assert.deepStrictEqual(structuredClone(first), plain);
  assert.deepStrictEqual({ ...first }, plain);
  const untouched = parseEvent(body);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(untouched)), plain, 'serialized before any read');
  untouched.data = { replaced: true };
  assert.deepEqual(untouched.data, { replaced: true });
});

test('freshness uses the signed timestamp and the clock it is given', () => {
  const options = { toleranceSeconds: 300 };
  assert.equal(constructEvent(body, signature, SECRET, { ...options, now: 1795773600 + 299 }).created, 1795773600);
  assert.equal(constructEvent(body, signature, SECRET, { ...options, now: new Date(1795773600_000) }).id, 'evt_api');
  assert.throws(() => constructEvent(body, signature, SECRET, { ...options, now: () => 1795773600 + 301 }), code('timestamp_outside_tolerance'));
  assert.throws(() => constructEvent(body, signature, SECRET, { toleranceSeconds: -1 }), RangeError);
  // A clock before 1970 does not switch the check off.
  assert.throws(() => parseEvent(body, { ...options, now: new Date(-1000) }), code('timestamp_outside_tolerance'));
});

test('the payload limit is checked before the signature', () => {
  assert.throws(() => constructEvent(body, 'test_signature', SECRET, { maxPayloadBytes: 100 }), (e) => code('payload_too_large')(e) && e.httpStatus === 413);
  const big = 'x'.repeat(300 * 1024);
  assert.throws(() => constructEvent(big, sign(big, SECRET), SECRET), code('payload_too_large'));
  assert.throws(() => parseEvent(body, { maxPayloadBytes: -5 }), RangeError);
});

test('a body over the limit is refused before it reaches WebAssembly memory', () => {
  const memory = () => /** @type {WebAssembly.Memory} */ (engine.glue.wasmMemory()).buffer.byteLength;
  const before = memory();
  const huge = Buffer.alloc(64 << 20, 0x20);
  const webhook = new Webhook(SECRET);
  const limited = new Webhook(SECRET, { maxPayloadBytes: 1000 });
  for (const call of [
    () => webhook.verify(huge, signature),
    () => parseEvent(huge),
    () => constructEvent(huge.toString('latin1'), signature, SECRET),
    () => limited.verifySignature(huge, signature),
  ]) {
    assert.throws(call, (e) => code('payload_too_large')(e) && /262144|1000/.test(e.message));
  }
  assert.equal(memory(), before);
  // Measured in UTF-8 bytes: 600 characters, 1200 bytes.
  assert.throws(() => limited.verifySignature('é'.repeat(600), signature), code('payload_too_large'));
});

test('errors carry the field and byte position, and the HTTP status to answer with', () => {
  assert.throws(() => parseEvent('{"type":"payment.completed","data":{"payment":{"id":"p","amount":-1,"currency":"CSPR"}}}'),
    (e) => code('invalid_event')(e) && e.field === 'data.payment.amount' && e.httpStatus === 400);
  assert.throws(() => parseEvent('{"type": x}'), (e) => code('invalid_json')(e) && e.position === 9);
  assert.throws(() => constructEvent(body, 'test_signature', SECRET), (e) => e.httpStatus === 401 && /test_signature/.test(e.message));
});

test('samples exist for every type in every shape and parse into their kind', () => {
  const types = api.eventTypes();
  assert.equal(types.length, 21);
  assert.ok(types.includes('subscription.canceled') && types.includes('subscription.cancelled'));
  for (const type of types) for (const shape of /** @type {const} */ (['a', 'b', 'c'])) {
    const event = parseEvent(sampleEvent(type, shape));
    assert.equal(event.type, type);
    assert.equal(event.shape, shape);
    assert.notEqual(event.kind, 'unknown');
  }
  assert.notEqual(sampleEvent('payment.completed', 'c'), sampleEvent('payment.completed', 'c'), 'random seeds differ');
  assert.throws(() => sampleEvent(/** @type {any} */ ('payment.refunded')), RangeError);
});

test('one-call functions reuse keyed state for any number of secrets in bounded memory', () => {
  const bytes = () => /** @type {WebAssembly.Memory} */ (glue.wasmMemory()).buffer.byteLength;
  const secrets = Array.from({ length: 3000 }, (_, i) => `whsec_merchant_${i}`);
  for (const secret of secrets.slice(0, 500)) assert.equal(verifyWebhook(body, sign(body, secret), secret), true);
  const warm = bytes();
  for (let round = 0; round < 20; round++) {
    for (const secret of secrets) verifyWebhook(body, signature, secret);
  }
  assert.equal(bytes(), warm, 'WebAssembly memory did not grow over 60,000 calls with 3,000 secrets');
  assert.equal(constructEvent(body, signature, SECRET).id, 'evt_api');
});

test('cache keys never collide: a secret that spells a list is not that list', () => {
  const keyed = sign(body, 'x');
  assert.equal(verifyWebhook(body, keyed, ['x']), true);
  assert.equal(verifyWebhook(body, keyed, '["x"]'), false);
  assert.equal(verifyWebhook(body, keyed, 'x'), true);
  assert.equal(verifyWebhook(body, keyed, new TextEncoder().encode('x')), true);
  assert.equal(verifyWebhook(body, keyed, ['s1:x']), false);
});

test('the same secret again, then another: each verifies with its own key (the last-secret shortcut never answers for another)', () => {
  assert.equal(verifyWebhook(body, signature, SECRET), true);
  assert.equal(verifyWebhook(body, signature, SECRET), true);
  assert.equal(verifyWebhook(body, signature, `${SECRET}x`), false);
  assert.equal(verifyWebhook(body, signature, SECRET.slice(0, -1)), false);
  assert.equal(verifyWebhook(body, signature, [SECRET]), true);
  assert.equal(verifyWebhook(body, signature, [SECRET]), true);
  assert.equal(verifyWebhook(body, signature, ['other']), false);
  assert.equal(verifyWebhook(body, sign(body, 'other'), 'other'), true);
  assert.equal(verifyWebhook(body, signature, 'other'), false);
  assert.equal(constructEvent(body, signature, SECRET).id, 'evt_api');
});

test('a trapped instance is replaced, and verifiers keep working on the fresh one', () => {
  const webhook = new Webhook(SECRET);
  assert.equal(webhook.verifySignature(body, signature), 0);
  const before = engine.generation;
  // A real trap from the runtime: an out-of-bounds handle makes the module read past its memory.
  const forged = Object.create(engine.glue.Keys.prototype, { __wbg_ptr: { value: 0xfffffff0 } });
  assert.throws(() => {
    try {
      forged.verify(0, 0);
    } catch (error) {
      engine.rethrow(error);
    }
  }, (e) => code('internal_error')(e) && e.cause instanceof WebAssembly.RuntimeError);
  assert.equal(engine.generation, before + 1);
  assert.equal(webhook.verifySignature(body, signature), 0);
  assert.equal(constructEvent(body, signature, SECRET).id, 'evt_api');
  assert.equal(parseEvent(body).payment?.currency, 'CSPR');
});

test('bodies of several MiB verify, and memory growth between calls is handled', () => {
  const large = JSON.stringify({ type: 'test.webhook', data: { blob: 'é'.repeat(3 << 20) } });
  assert.equal(verifyWebhook(large, sign(large, SECRET), SECRET), true);
  assert.equal(verifyWebhook(body, signature, SECRET), true);
});
