// The package's receiver end to end over real HTTP on 127.0.0.1: exactly-once processing
// through failing handlers, concurrent and re-serialized copies, and restarts; and the same
// answers from every adapter (node:http, Express 5, Fastify 5, Koa, Hono's fetch handler).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReceiver, Inbox, MemoryStore, parseEvent, sampleEvent, sign } from 'caspay-webhooks';
import { SqliteStore } from 'caspay-webhooks/sqlite';
import { storeView } from '../shared/store-view.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const vectors = JSON.parse(readFileSync(new URL('../vectors/parse.json', import.meta.url), 'utf8')).cases;

/**
 * Serves `handler` on a free port of 127.0.0.1.
 * @param {import('node:http').RequestListener} handler
 */
async function serve(handler) {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/webhook`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * POSTs like CasPay's server.
 * @param {string} url
 * @param {string | Uint8Array} body
 * @param {{ signature?: string | null, headers?: Record<string, string> }} [options]
 */
async function deliver(url, body, { signature = sign(body, SECRET), headers = {} } = {}) {
  const all = { 'content-type': 'application/json', 'user-agent': 'CasPay-Webhook/1.0', ...headers };
  if (signature !== null) all['x-caspay-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers: all, body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, retryAfter: response.headers.get('retry-after') };
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('in the request: each event is processed once, through failures and copies', async (t) => {
  /** @type {string[]} */
  const runs = [];
  /** @type {import('caspay-webhooks').RunReport[]} */
  const reports = [];
  let failuresLeft = 2;
  let gate = Promise.resolve();
  let backoffMs = 0;
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore(), onRun: (r) => reports.push(r), leaseSeconds: 5, backoff: () => backoffMs })
    .on('payment.received', async (event, { key, attempt }) => {
      await gate;
      if (event.payment.id === 'pay_flaky' && failuresLeft-- > 0) throw new Error('the order service is down');
      runs.push(`${key} ${attempt}`);
    });
  const server = await serve(receiver.node);
  t.after(server.close);

  await t.test('a new event is processed before the 200; a copy is a duplicate', async () => {
    const body = sampleEvent('payment.received', 'c', { seed: 'once' });
    assert.deepEqual((await deliver(server.url, body)).json, { received: true });
    assert.equal(runs.length, 1);
    assert.deepEqual(await deliver(server.url, body), { status: 200, json: { duplicate: true }, retryAfter: null });
    assert.equal(runs.length, 1);
  });

  await t.test('a failing handler answers 500 until a retry succeeds; attempts are recorded', async () => {
    const body = JSON.stringify({ event: 'payment.received', data: { payment_id: 'pay_flaky', amount: 12.5, currency: 'CSPR' }, timestamp: '2026-11-27T10:00:00.000Z' });
    const first = await deliver(server.url, body);
    assert.deepEqual([first.status, first.json.error], [500, 'processing_failed']);
    assert.equal((await deliver(server.url, body)).status, 500);
    assert.deepEqual((await deliver(server.url, body)).json, { received: true });
    assert.deepEqual((await deliver(server.url, body)).json, { duplicate: true });
    const key = reports.at(-1)?.key ?? '';
    assert.deepEqual(runs.filter((r) => r.startsWith(key)), [`${key} 3`]);
    assert.deepEqual(reports.filter((r) => r.key === key).map((r) => r.outcome), ['failed', 'failed', 'done']);
    const entry = await receiver.inbox.store.get(key);
    assert.deepEqual([entry?.state, entry?.attempts], ['done', 3]);
  });

  await t.test('a copy before a failed event\'s next attempt is due gets 409 retry_scheduled with Retry-After', async () => {
    backoffMs = 30_000;
    failuresLeft = 1;
    const body = JSON.stringify({ event: 'payment.received', data: { payment_id: 'pay_flaky', amount: 1, currency: 'CSPR' }, timestamp: '2026-11-27T10:00:01.000Z' });
    assert.equal((await deliver(server.url, body)).status, 500);
    const early = await deliver(server.url, body);
    assert.deepEqual([early.status, early.json.error], [409, 'retry_scheduled']);
    assert.ok(Number(early.retryAfter) > 25 && Number(early.retryAfter) <= 30, early.retryAfter ?? '');
    backoffMs = 0;
  });

  await t.test('a copy arriving while the original is processing gets 409 with Retry-After', async () => {
    /** @type {() => void} */
    let open = () => {};
    gate = new Promise((resolve) => { open = () => resolve(undefined); });
    const body = sampleEvent('payment.received', 'c', { seed: 'slow' });
    const original = deliver(server.url, body);
    await sleep(100);
    const copy = await deliver(server.url, body);
    assert.equal(copy.status, 409);
    assert.equal(copy.json.error, 'processing_in_progress');
    assert.ok(Number(copy.retryAfter) >= 1 && Number(copy.retryAfter) <= 5, copy.retryAfter ?? '');
    open();
    assert.deepEqual((await original).json, { received: true });
    assert.deepEqual((await deliver(server.url, body)).json, { duplicate: true });
    gate = Promise.resolve();
  });

  await t.test('one event re-sent with other bytes (jsonb order, pretty, reordered, escaped) is processed once', async () => {
    const copies = vectors.filter((c) => c.name.startsWith('content key: one event ') && !c.name.includes(' with '));
    assert.equal(copies.length, 5);
    const before = runs.length;
    const answers = [];
    for (const copy of copies) answers.push((await deliver(server.url, copy.body.utf8)).json);
    assert.deepEqual(answers, [{ received: true }, ...Array(4).fill({ duplicate: true })]);
    assert.equal(runs.length, before + 1);
  });

  await t.test('eight simultaneous copies of a new event: one run', async () => {
    const body = sampleEvent('payment.received', 'c', { seed: 'burst' });
    const before = runs.length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(server.url, body)));
    assert.equal(runs.length, before + 1);
    assert.equal(answers.filter((a) => a.json.received).length, 1);
    assert.ok(answers.every((a) => a.status === 200 || a.status === 409), JSON.stringify(answers));
  });
});

test('a done event is answered as a duplicate while it is retained, then the inbox forgets it by itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'caspay-retain-'));
  const store = new SqliteStore(join(dir, 'inbox.db'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const day = 86_400_000;
  let clock = Date.UTC(2026, 10, 28);
  /** @type {string[]} */
  const runs = [];
  const receiver = createReceiver({ secret: SECRET, store, now: () => clock, retainDoneSeconds: day / 1000 })
    .on('*', (event, { key }) => { runs.push(key); });
  const server = await serve(receiver.node);
  t.after(server.close);

  const kept = sampleEvent('payment.received', 'c', { seed: 'kept' });
  assert.deepEqual((await deliver(server.url, kept)).json, { received: true });
  const [{ key }] = await store.list();
  clock += day - 1;
  assert.deepEqual((await deliver(server.url, kept)).json, { duplicate: true }, 'a copy within the retention');
  assert.equal((await store.get(key))?.state, 'done');

  // The inbox looks at most hourly: the first delivery an hour later forgets it.
  clock += 3_600_000;
  assert.deepEqual((await deliver(server.url, sampleEvent('payment.received', 'c', { seed: 'later' }))).json, { received: true });
  assert.equal(await store.get(key), null);
  assert.equal(runs.length, 2);
  assert.equal(await receiver.inbox.prune(), 0, 'nothing else is old enough');
});

test('in the background: 200 once recorded, processed by the worker, picked up again after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'caspay-receiver-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'inbox.db');
  /** @type {string[]} */
  const runs = [];
  /** @type {() => void} */
  let release = () => {};
  const blocked = new Promise((resolve) => { release = () => resolve(undefined); });

  // The first process accepts the event but "dies" before its run finishes: frozen, its
  // run's lease is no longer extended, as a killed process's is not (a view of the store
  // without `extend`).
  const store = new SqliteStore(file);
  const frozen = storeView(store);
  const first = createReceiver({ secret: SECRET, store: frozen, processing: 'background', leaseSeconds: 1, pollIntervalMs: 50 })
    .on('*', async (_event, { key }) => { await blocked; runs.push(`first ${key}`); });
  const body = sampleEvent('payment.completed', 'a', { seed: 'restart' });
  const server = await serve(first.node);
  assert.deepEqual((await deliver(server.url, body)).json, { received: true });
  assert.deepEqual((await deliver(server.url, body)).json, { duplicate: true }, 'our worker will finish it: no retry needed');
  await server.close();
  await sleep(100);
  assert.equal((await store.list({ state: 'processing' })).length, 1, 'a run holds the lease');

  // A second process on the same file takes the event over once the lease has expired.
  const second = createReceiver({ secret: SECRET, store: new SqliteStore(file), processing: 'background', pollIntervalMs: 50 })
    .on('*', async (_event, { key, attempt }) => { runs.push(`second ${key} attempt ${attempt}`); });
  t.after(() => second.stop());
  const deadline = Date.now() + 5000;
  while (runs.length === 0 && Date.now() < deadline) await sleep(20);
  assert.deepEqual(runs, ['second evt_restart_payment_completed attempt 2'].map((r) => r.replace('evt_restart_payment_completed', JSON.parse(body).id)));
  release();
  await first.stop();
  assert.equal(runs.length, 2, 'the first run finishes late...');
  const entry = await store.get(JSON.parse(body).id);
  assert.deepEqual([entry?.state, entry?.attempts], ['done', 2], '...and cannot overwrite the outcome of the run that took over');
  await store.close();
});

test('in the background: an event a previous process left waits for the handlers registered after the receiver was made', async (t) => {
  const event = parseEvent(sampleEvent('payment.received', 'c', { seed: 'leftover' }));
  const key = event.idempotencyKey;
  /** Records the event as a process that died before running it would have left it. */
  const leftBehind = async () => {
    const store = new MemoryStore();
    await new Inbox({ store, handler: () => {} }).accept(event);
    return store;
  };
  const store = await leftBehind();

  /** @type {string[]} */
  const runs = [];
  // Handlers chained right after createReceiver, as every quick start does.
  const chained = createReceiver({ secret: SECRET, store, processing: 'background', pollIntervalMs: 20 })
    .on('payment.received', (_event, { attempt }) => { runs.push(`chained ${attempt}`); });
  t.after(() => chained.stop());
  let deadline = Date.now() + 5000;
  while (runs.length === 0 && Date.now() < deadline) await sleep(10);
  assert.deepEqual(runs, ['chained 1']);

  // Handlers registered after an await: the runs before them fail and are tried again.
  const later = await leftBehind();
  const receiver = createReceiver({ secret: SECRET, store: later, processing: 'background', pollIntervalMs: 20, backoff: () => 0.05 });
  t.after(() => receiver.stop());
  await sleep(100);
  const waiting = await later.get(key);
  assert.equal(waiting?.state, 'failed', 'not done with nothing run');
  assert.match(String(waiting?.lastError), /no handler is registered yet/);
  receiver.on('payment.received', (_event, { attempt }) => { runs.push(`later ${attempt}`); });
  deadline = Date.now() + 5000;
  while (runs.length === 1 && Date.now() < deadline) await sleep(10);
  assert.equal(runs.length, 2);
  assert.match(runs[1], /^later \d+$/);
  assert.equal((await later.get(key))?.state, 'done');
});

test('maxPayloadBytes 0 keeps the default limit, as for Webhook', async (t) => {
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore(), maxPayloadBytes: 0 }).on('*', () => {});
  const server = await serve(receiver.node);
  t.after(server.close);
  assert.deepEqual((await deliver(server.url, sampleEvent('payment.received', 'c'))).json, { received: true });
  const large = JSON.stringify({ type: 'payment.completed', data: { pad: 'x'.repeat(300 * 1024) } });
  assert.equal((await deliver(server.url, large)).status, 413);
});

test('an event no handler is registered for is done, and its type is reported once', async (t) => {
  const warnings = t.mock.method(console, 'warn', () => {});
  /** @type {string[]} */
  const runs = [];
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore() })
    .on('payment.completed', (event) => { runs.push(String(event.type)); });
  const server = await serve(receiver.node);
  t.after(server.close);
  for (const seed of ['one', 'two']) {
    assert.deepEqual((await deliver(server.url, sampleEvent('subscription.renewed', 'c', { seed }))).json, { received: true });
  }
  assert.deepEqual(runs, []);
  assert.equal(warnings.mock.callCount(), 1);
  assert.match(String(warnings.mock.calls[0].arguments[0]), /no handler for subscription\.renewed events/);
});

/** Every adapter, one after the other, over real HTTP. */
const adapters = {
  'node:http': async (/** @type {import('caspay-webhooks').Receiver} */ receiver) => serve(receiver.node),
  'Express 5': async (/** @type {import('caspay-webhooks').Receiver} */ receiver) => {
    const { default: express } = await import('express');
    const app = express();
    app.post('/webhook', receiver.node);
    app.use(express.json());
    return serveApp(app);
  },
  'Fastify 5': async (/** @type {import('caspay-webhooks').Receiver} */ receiver) => {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/health', async () => ({ ok: true }));
    await app.register(receiver.fastify, { path: '/webhook' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = /** @type {import('node:net').AddressInfo} */ (app.server.address());
    return { url: `http://127.0.0.1:${port}/webhook`, close: () => app.close() };
  },
  Koa: async (/** @type {import('caspay-webhooks').Receiver} */ receiver) => {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    app.use(async (ctx, next) => (ctx.path === '/webhook' ? receiver.koa(ctx) : next()));
    return serveApp(app.callback());
  },
  'Hono (fetch handler)': async (/** @type {import('caspay-webhooks').Receiver} */ receiver) => {
    const { Hono } = await import('hono');
    const { serve: honoServe } = await import('@hono/node-server');
    const app = new Hono();
    app.post('/webhook', (c) => receiver.fetch(c.req.raw));
    const server = honoServe({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    return { url: `http://127.0.0.1:${port}/webhook`, close: () => new Promise((resolve) => server.close(resolve)) };
  },
};

/** @param {import('node:http').RequestListener} app */
async function serveApp(app) {
  return serve(app);
}

for (const [name, mount] of Object.entries(adapters)) {
  test(`${name}: the same answers with the stable codes`, async (t) => {
    /** @type {string[]} */
    const runs = [];
    const receiver = createReceiver({ secret: SECRET, store: new MemoryStore() }).on('*', (event) => { runs.push(event.idempotencyKey); });
    const server = await mount(receiver);
    t.after(server.close);
    const body = sampleEvent('payment.completed', 'a');

    assert.deepEqual((await deliver(server.url, body)).json, { received: true });
    assert.deepEqual((await deliver(server.url, body)).json, { duplicate: true });
    assert.equal(runs.length, 1);
    /** @type {[string, string | Uint8Array, { signature?: string | null, headers?: Record<string, string> }, number, string][]} */
    const cases = [
      ['tampered body', body.replace('100000000000', '900000000000'), { signature: sign(body, SECRET) }, 401, 'signature_mismatch'],
      ['wrong secret', body, { signature: sign(body, 'whsec_not_the_endpoint_secret_00000') }, 401, 'signature_mismatch'],
      ["the dashboard's test button", body, { signature: 'test_signature' }, 401, 'invalid_signature_format'],
      ['empty POST without a signature', '', { signature: null, headers: { 'content-type': 'text/plain' } }, 401, 'missing_signature'],
      ['signed empty body', '', { signature: sign('', SECRET) }, 400, 'invalid_json'],
      ['signed JSON that is not an event', '{"type":"payment.completed","data":{}}', {}, 400, 'invalid_event'],
      ['gzip-encoded body', gzipSync(body), { signature: sign(body, SECRET), headers: { 'content-encoding': 'gzip' } }, 415, 'unsupported_encoding'],
      ['an unknown encoding', body, { headers: { 'content-encoding': 'x-custom' } }, 415, 'unsupported_encoding'],
      ['300 KiB body', JSON.stringify({ type: 'test.webhook', data: { pad: 'x'.repeat(300 * 1024) } }), {}, 413, 'payload_too_large'],
    ];
    for (const [what, payload, options, status, code] of cases) {
      const answer = await deliver(server.url, payload, options);
      assert.deepEqual([answer.status, answer.json?.error], [status, code], what);
    }
    assert.equal(runs.length, 1, 'nothing unverified was processed');

    // Half a body, then the client disappears: the server must survive it.
    await abortedRequest(server.url);
    await sleep(50);
    assert.deepEqual((await deliver(server.url, sampleEvent('payment.received', 'c'))).json, { received: true });
    assert.equal(runs.length, 2);
  });
}

test('Express with express.json() before the route: refused with the fix, never verified on re-serialized JSON', async (t) => {
  const { default: express } = await import('express');
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore() });
  const app = express();
  app.use(express.json());
  app.post('/webhook', receiver.node);
  const server = await serve(app);
  t.after(server.close);
  const answer = await deliver(server.url, sampleEvent('payment.completed', 'a'));
  assert.equal(answer.status, 500);
  assert.equal(answer.json.error, 'invalid_payload');
  assert.match(answer.json.message, /express\.json/);
});

test('Express 4 body parsers that left the body unread (req.body = {}): the delivery is read and processed', async (t) => {
  const { default: express } = await import('express');
  const { default: bodyParser } = await import('body-parser-1');
  /** @type {string[]} */
  const runs = [];
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore() }).on('*', (_event, { key }) => { runs.push(key); });
  const app = express();
  // body-parser 1.x (Express 4's) sets req.body to {} on every request it does not parse.
  app.use(bodyParser.urlencoded({ extended: false }));
  app.post('/webhook', receiver.node);
  const server = await serve(app);
  t.after(server.close);
  assert.deepEqual((await deliver(server.url, sampleEvent('payment.received', 'c'))).json, { received: true });
  assert.equal(runs.length, 1);
  // A JSON body parsed into {} is still refused: its bytes are gone.
  const json = express();
  json.use(bodyParser.json());
  json.post('/webhook', receiver.node);
  const parsed = await serve(json);
  t.after(parsed.close);
  const answer = await deliver(parsed.url, '{}');
  assert.deepEqual([answer.status, answer.json.error], [500, 'invalid_payload']);
});

test('a body other code already read: invalid_payload at once, from the node and fetch adapters', async (t) => {
  const receiver = createReceiver({ secret: SECRET, store: new MemoryStore() }).on('*', () => {});
  const server = await serve(async (req, res) => {
    for await (const _chunk of req); // read, and not kept in req.body
    receiver.node(req, res);
  });
  t.after(server.close);
  const answer = await deliver(server.url, sampleEvent('payment.received', 'c'));
  assert.deepEqual([answer.status, answer.json.error], [500, 'invalid_payload']);
  assert.match(answer.json.message, /already read/);

  const body = sampleEvent('payment.received', 'c');
  const request = new Request('http://127.0.0.1/webhook', { method: 'POST', body, headers: { 'x-caspay-signature': sign(body, SECRET) } });
  await request.text();
  const response = await receiver.fetch(request);
  assert.equal(response.status, 500);
  assert.equal((await response.json()).error, 'invalid_payload');
});

/**
 * Sends half of a declared body, then destroys the socket.
 * @param {string} url
 */
function abortedRequest(url) {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000', 'x-caspay-signature': 'a'.repeat(64) } });
    req.on('error', () => resolve(undefined));
    req.write('{"type":"payment.');
    setTimeout(() => { req.destroy(); resolve(undefined); }, 50);
  });
}
