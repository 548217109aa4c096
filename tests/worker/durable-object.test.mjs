// caspay-webhooks/durable-object on real workerd (tests/worker/inbox-worker.js):
// - the inbox store contract of tests/node/inbox-stores.test.mjs, against DurableObjectStore
//   on real Durable Object storage: every call is its own request to the object (concurrent
//   calls are concurrent requests), and `second` is another store on the same storage; plus
//   what only this store does: the object's alarm follows the event's next wake-up;
// - the object made by createInboxObject: failing handlers retried with backoff, dead events
//   listed for operators and re-run; acceptWebhook's answer when the object is unreachable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RETAIN_DONE_SECONDS, parseEvent, sign } from '../../pkg/src/node.js';
import { eventually, ledgerOf, startWorker } from './harness.mjs';
import { LEASE, storeContract } from '../shared/inbox-store-contract.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
// In the future, so that no alarm the store sets fires while the test looks at it.
const T0 = Date.now() + 24 * 3600_000;
const DURABLE_OBJECTS = {
  PROBE: { className: 'StoreProbe', useSQLite: true },
  FLAKY_INBOX: { className: 'FlakyInbox', useSQLite: true },
  UNREACHABLE: 'UnreachableInbox',
  LEDGER: { className: 'Ledger', useSQLite: true },
  BRIEF_INBOX: { className: 'BriefInbox', useSQLite: true },
};

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let worker;
before(async () => {
  worker = await startWorker({ entry: fileURLToPath(new URL('inbox-worker.js', import.meta.url)), bindings: { SECRET }, durableObjects: DURABLE_OBJECTS });
});
after(() => worker?.dispose());

/**
 * A store inside the object `name`; `instance` names another store on the same storage.
 * @param {string} name
 * @returns {import('caspay-webhooks').InboxStore & { alarm(): Promise<number | null> }}
 */
function probe(name, instance = 'first') {
  const call = async (/** @type {string} */ method, /** @type {unknown[]} */ args) => {
    const response = await fetch(new URL(`/probe/${name}/${instance}/${method}`, worker.url), { method: 'POST', body: JSON.stringify(args) });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return JSON.parse(text).result;
  };
  return /** @type {any} */ ({
    record: (/** @type {unknown} */ entry) => call('record', [entry]),
    claim: (/** @type {unknown} */ request) => call('claim', [request]),
    complete: (/** @type {unknown} */ finished) => call('complete', [finished]),
    fail: (/** @type {unknown} */ failed) => call('fail', [failed]),
    get: (/** @type {string} */ key) => call('get', [key]),
    list: (/** @type {unknown} */ filter) => call('list', filter === undefined ? [] : [filter]),
    retry: (/** @type {string} */ key, /** @type {number} */ now) => call('retry', [key, now]),
    prune: (/** @type {number} */ before) => call('prune', [before]),
    close: () => call('close', []),
    alarm: async () => (await (await fetch(new URL(`/probe/${name}/alarm`, worker.url))).json()).alarm,
  });
}

/** @param {string} key */
const entry = (key, now = T0) => ({ key, type: 'payment.completed', event: JSON.stringify({ idempotencyKey: key }), now });

test('Durable Object store follows the inbox state machine', async (t) => {
  const store = probe('contract');
  const second = () => probe('contract', 'second');

  await storeContract(t, { store, second, t0: T0 });
});

test("the object's alarm is the event's next wake-up, set with each transition", async () => {
  const store = probe('alarm');
  assert.equal(await store.alarm(), null);
  await store.record(entry('a', T0));
  assert.equal(await store.alarm(), T0, 'received: at once');
  await store.claim({ key: 'a', now: T0 + 1, leaseMs: LEASE });
  assert.equal(await store.alarm(), T0 + 1 + LEASE, 'processing: when the lease ends, in case the run dies');
  await store.fail({ key: 'a', attempt: 1, error: 'Error: boom', now: T0 + 2, nextAttemptAt: T0 + 10_000 });
  assert.equal(await store.alarm(), T0 + 10_000, 'failed: when the retry is due');
  await store.claim({ key: 'a', now: T0 + 10_000, leaseMs: LEASE });
  await store.fail({ key: 'a', attempt: 2, error: 'Error: again', now: T0 + 10_001, nextAttemptAt: null });
  assert.equal(await store.alarm(), null, 'dead: nothing to wake up for');
  await store.retry('a', T0 + 20_000);
  assert.equal(await store.alarm(), T0 + 20_000, "an operator's retry: at once");
  await store.claim({ key: 'a', now: T0 + 20_001, leaseMs: LEASE });
  await store.complete({ key: 'a', attempt: 3, now: T0 + 20_002 });
  assert.equal(await store.alarm(), T0 + 20_002 + DEFAULT_RETAIN_DONE_SECONDS * 1000 + 1, 'done: when its retention ends');
  assert.equal(await store.prune(T0 + 20_003 + DEFAULT_RETAIN_DONE_SECONDS * 1000), 1);
  assert.equal(await store.alarm(), null, 'forgotten: nothing left to wake up for');
});

/**
 * A signed shape-A delivery to the test Worker whose handler fails its first `failTimes` runs.
 * @param {string} id
 * @param {number} failTimes
 */
async function deliverFlaky(id, failTimes, path = '/webhook', metadata = {}) {
  const body = JSON.stringify({ id, type: 'payment.completed', created: 1795773600, data: { payment: { id: `pay_${id}`, amount: 100000000000, currency: 'CSPR', status: 'completed', metadata: { fail_times: failTimes, ...metadata } } } });
  const response = await fetch(new URL(path, worker.url), { method: 'POST', body, headers: { 'x-caspay-signature': sign(body, SECRET) } });
  return { status: response.status, json: await response.json(), key: parseEvent(body).idempotencyKey };
}

/** @param {string} path */
const admin = async (path) => (await fetch(new URL(path, worker.url))).json();

/** @param {string} key */
const runLines = (key) => worker.logs.filter((line) => line.startsWith(`run ${key} `));

test('a handler failing twice, then succeeding: processed once, after 3 attempts', async () => {
  const { status, json, key } = await deliverFlaky('evt_flaky_twice', 2);
  assert.deepEqual([status, json], [200, { received: true }]);
  const entry = await eventually(async () => {
    const current = await admin(`/admin/get?key=${key}`);
    return current?.state === 'done' ? current : undefined;
  }, 'the event to be done');
  assert.equal(entry.attempts, 3);
  assert.match(entry.lastError, /the order service is down \(attempt 2\)/);
  assert.equal((await (await ledgerOf(worker.mf)).get(key))?.times, 1);
  assert.deepEqual(runLines(key), [`run ${key} attempt 1 failed`, `run ${key} attempt 2 failed`, `run ${key} attempt 3 done`]);
  assert.deepEqual(await admin('/admin/list'), [], 'never dead, and no longer failed');
});

test('an object reset between a dead outcome and the index update still lists the event for operators', async () => {
  const { key } = await deliverFlaky('evt_dead_reset', 3, '/webhook', { reset_when_dead: true });
  const dead = await eventually(async () => {
    const listed = await admin('/admin/list?state=dead');
    return listed.some((/** @type {any} */ e) => e.key === key) ? listed : undefined;
  }, 'the dead event to be listed after the reset');
  assert.equal(dead.find((/** @type {any} */ e) => e.key === key).attempts, 3);
  assert.equal(await admin(`/admin/retry?key=${key}`), true);
  await eventually(async () => ((await admin(`/admin/get?key=${key}`))?.state === 'done' ? true : undefined), 'the re-run to finish');
  await eventually(async () => ((await admin('/admin/list')).some((/** @type {any} */ e) => e.key === key) ? undefined : true), 'the index to forget the event');
});

test('operators page through the dead events, each listed once', async () => {
  const keys = [];
  for (const n of [1, 2, 3]) keys.push((await deliverFlaky(`evt_dead_page_${n}`, 3)).key);
  await eventually(async () => {
    const dead = (await admin('/admin/list?state=dead&limit=1000')).map((/** @type {any} */ e) => e.key);
    return keys.every((key) => dead.includes(key)) ? true : undefined;
  }, 'the three events to be dead');
  /** @type {string[]} */
  const paged = [];
  for (let offset = 0; ; offset += 2) {
    const page = await admin(`/admin/list?state=dead&limit=2&offset=${offset}`);
    assert.ok(page.length <= 2);
    if (page.length === 0) break;
    paged.push(...page.map((/** @type {any} */ e) => e.key));
  }
  assert.deepEqual(keys.filter((key) => paged.filter((k) => k === key).length !== 1), [], `pages: ${paged.join(' ')}`);
  for (const key of keys) assert.equal(await admin(`/admin/retry?key=${key}`), true);
  await eventually(async () => {
    const listed = (await admin('/admin/list?limit=1000')).map((/** @type {any} */ e) => e.key);
    return keys.some((key) => listed.includes(key)) ? undefined : true;
  }, 'the re-run events to leave the index');
});

test('an event failing every attempt is dead, listed for operators, and re-run by one', async () => {
  const { key } = await deliverFlaky('evt_flaky_dead', 3);
  const dead = await eventually(async () => {
    const listed = await admin('/admin/list?state=dead');
    return listed.length > 0 ? listed : undefined;
  }, 'the event to be listed as dead');
  assert.deepEqual(dead.map((/** @type {any} */ e) => [e.key, e.state, e.attempts]), [[key, 'dead', 3]]);
  assert.match(dead[0].lastError, /attempt 3/);
  assert.equal(await (await ledgerOf(worker.mf)).get(key), null, 'not processed');
  const copy = await deliverFlaky('evt_flaky_dead', 3);
  assert.deepEqual([copy.status, copy.json], [200, { duplicate: true }], 'more deliveries cannot help');

  assert.equal(await admin(`/admin/retry?key=${key}`), true);
  await eventually(async () => ((await admin(`/admin/get?key=${key}`))?.state === 'done' ? true : undefined), 'the re-run to finish');
  assert.equal((await (await ledgerOf(worker.mf)).get(key))?.times, 1);
  assert.equal((await admin(`/admin/get?key=${key}`)).attempts, 4);
  await eventually(async () => ((await admin('/admin/list')).length === 0 ? true : undefined), 'the index to forget the event');
  assert.equal(await admin(`/admin/retry?key=${key}`), false, 'a done event is not re-run');
});

test('an object reset mid-run (a lost isolate): the alarm of its lease runs the event again, processed once', async () => {
  const { status, key } = await deliverFlaky('evt_reset', 0, '/webhook', { reset_on_attempt: 1 });
  assert.equal(status, 200);
  const entry = await eventually(async () => {
    const current = await admin(`/admin/get?key=${key}`);
    return current?.state === 'done' ? current : undefined;
  }, 'the event to be done after its lease (5 s) ended');
  assert.equal(entry.attempts, 2);
  assert.equal((await (await ledgerOf(worker.mf)).get(key))?.times, 1);
  assert.deepEqual(runLines(key), [`run ${key} attempt 2 done`], 'the reset run never finished');
});

test("a done event is answered as a duplicate while it is retained, then its object's alarm forgets it", async () => {
  const { status, key } = await deliverFlaky('evt_brief', 0, '/webhook-brief');
  assert.equal(status, 200);
  await eventually(async () => ((await admin(`/admin/get?inbox=brief&key=${key}`))?.state === 'done' ? true : undefined), 'the event to be done');
  const copy = await deliverFlaky('evt_brief', 0, '/webhook-brief');
  assert.deepEqual([copy.status, copy.json], [200, { duplicate: true }]);
  await eventually(async () => ((await admin(`/admin/get?inbox=brief&key=${key}`)) === null ? true : undefined), 'the retention (3 s) to end');
  assert.equal((await (await ledgerOf(worker.mf)).get(key))?.times, 1, 'processed once');
});

test('a store is refused a retention that would forget done events too early, or never', async () => {
  /** @param {unknown} seconds the retention, as JSON */
  const construct = async (seconds) => (await (await fetch(new URL(`/probe/retention/construct/${encodeURIComponent(JSON.stringify(seconds))}`, worker.url))).json()).error;
  for (const seconds of [0, -1, 'a day', true]) {
    assert.match(await construct(seconds), /^TypeError: DurableObjectStore: retainDoneSeconds must be a positive number of seconds/, `retainDoneSeconds: ${JSON.stringify(seconds)}`);
  }
  for (const seconds of [3, null]) assert.equal(await construct(seconds), null, `retainDoneSeconds: ${JSON.stringify(seconds)}`);
});

test('an unreachable inbox object: 503 store_unavailable, so CasPay sends it again', async () => {
  const { status, json } = await deliverFlaky('evt_unreachable', 0, '/webhook-unreachable');
  assert.equal(status, 503);
  assert.equal(json.error, 'store_unavailable');
});
