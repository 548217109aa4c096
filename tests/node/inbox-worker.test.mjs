// The inbox's worker side (`processDue`, `start`, `stop`) when things go wrong: a store that
// fails mid-drain, a shutdown during a backlog, handlers slower than their lease or hung.
// The store is the real MemoryStore; where
// a failure is needed, a view of it (tests/shared/store-view.mjs) makes one of its calls
// throw, as a database outage would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_ATTEMPTS, Inbox, MemoryStore, defaultBackoff } from 'caspay-webhooks';
import { storeView } from '../shared/store-view.mjs';

const T0 = 1_795_773_600_000;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {MemoryStore} store @param {number} count */
async function recordEvents(store, count) {
  for (let i = 0; i < count; i++) await store.record({ key: `k${i}`, type: 'payment.completed', event: '{}', now: T0 + i });
}

test('processDue: a store failure mid-drain waits for the runs in progress and leaves no rejection unhandled', async (t) => {
  /** @type {unknown[]} */
  const unhandled = [];
  const onUnhandled = (/** @type {unknown} */ reason) => { unhandled.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  t.after(() => { process.off('unhandledRejection', onUnhandled); });

  const memory = new MemoryStore();
  await recordEvents(memory, 3);
  let claims = 0;
  const store = storeView(memory, {
    claim: async (request) => {
      claims += 1;
      if (claims === 2) throw new Error('claim: the database went away');
      return memory.claim(request);
    },
    complete: async () => { throw new Error('complete: the database went away'); },
  });
  let finished = 0;
  const inbox = new Inbox({ store, handler: async () => { await sleep(50); finished += 1; }, now: () => T0 + 10 });
  await assert.rejects(inbox.processDue(), /claim: the database went away/);
  assert.equal(finished, 1, 'the run claimed before the failure had finished when processDue gave up');
  await sleep(50);
  assert.deepEqual(unhandled, [], 'the run whose outcome could not be written rejected unhandled');
  assert.equal((await memory.get('k0'))?.state, 'processing', 'its lease expires and it runs again');
});

test('stop: runs in progress finish, and no new one starts, however long the backlog', async () => {
  const store = new MemoryStore();
  await recordEvents(store, 6);
  /** @type {string[]} */
  const started = [];
  const inbox = new Inbox({
    store,
    handler: async (_event, { key }) => { started.push(key); await sleep(100); },
    concurrency: 2,
    pollIntervalMs: 10,
  });
  inbox.start();
  while (started.length < 2) await sleep(5);
  await inbox.stop();
  assert.equal(started.length, 2, `stop() went on claiming: ${started.join(' ')}`);
  assert.deepEqual((await store.list({ state: 'done' })).map((e) => e.key).sort(), [...started].sort(), 'the runs in progress finished');
  assert.equal((await store.list({ state: 'received' })).length, 4, 'the rest waits for the next start');
  assert.equal(await inbox.processDue(), 4, 'or for a processDue() of its own, as a cron job calls it');
});

test('a backoff that gives no number of milliseconds gets the default one', async () => {
  for (const delay of [Infinity, Number.NaN, -5]) {
    const store = new MemoryStore();
    await recordEvents(store, 1);
    const inbox = new Inbox({ store, handler: () => { throw new Error('down'); }, now: () => T0, backoff: () => delay });
    assert.equal(await inbox.processDue(), 1, `${delay}: one attempt, not all of them at once`);
    assert.equal((await store.get('k0'))?.nextAttemptAt, T0 + defaultBackoff(1), String(delay));
  }
});

test('times reach the store in whole milliseconds, whatever the clock and the backoff', async () => {
  const store = new MemoryStore();
  await recordEvents(store, 1);
  const inbox = new Inbox({ store, handler: () => { throw new Error('the order service is down'); }, now: () => T0 + 0.75, backoff: () => 1234.5, leaseSeconds: 0.0015 });
  assert.equal(await inbox.processDue(), 1);
  const entry = await store.get('k0');
  assert.equal(entry?.state, 'failed');
  assert.equal(entry?.nextAttemptAt, T0 + 1235);
  assert.ok(Number.isInteger(entry?.updatedAt), String(entry?.updatedAt));
});

test('with the defaults a failing event is retried for about a day, past CasPay\'s last retry, then dead', async () => {
  const store = new MemoryStore();
  await recordEvents(store, 1);
  let now = T0 + 1;
  const inbox = new Inbox({ store, handler: () => { throw new Error('the order service is down'); }, now: () => now });
  let runs = 0;
  for (;;) {
    runs += await inbox.processDue();
    const entry = await store.get('k0');
    if (entry?.state === 'dead') break;
    assert.equal(entry?.state, 'failed');
    now = /** @type {number} */ (entry?.nextAttemptAt);
  }
  assert.equal(runs, DEFAULT_MAX_ATTEMPTS);
  const hours = (now - T0) / 3_600_000;
  // CasPay's retries end 12.5 hours after its first delivery (60 s, 5 min, 25 min, 2 h, 10 h).
  assert.ok(hours > 12.5 && hours < 25, `the last attempt came ${hours.toFixed(1)} hours after the first`);
});

test('a handler slower than its lease keeps it: two workers on one store run the event once', async (t) => {
  const store = new MemoryStore();
  await recordEvents(store, 1);
  /** @type {string[]} */
  const runs = [];
  const handler = async (/** @type {unknown} */ _event, /** @type {import('caspay-webhooks').RunContext} */ { attempt }) => {
    runs.push(`attempt ${attempt}`);
    await sleep(1000);
  };
  // Two processes' workers: a lease of 0.2 s, a run of 1 s, both polling every 20 ms.
  const inboxes = [1, 2].map(() => new Inbox({ store, handler, leaseSeconds: 0.2, pollIntervalMs: 20 }).start());
  t.after(() => Promise.all(inboxes.map((inbox) => inbox.stop())));
  const deadline = Date.now() + 5000;
  while ((await store.get('k0'))?.state !== 'done' && Date.now() < deadline) await sleep(20);
  assert.deepEqual(runs, ['attempt 1']);
  assert.equal((await store.get('k0'))?.state, 'done');
});

test('handlers that never return do not hold the worker: once they count as hung, the next events run', async (t) => {
  const errors = t.mock.method(console, 'error', () => {});
  const store = new MemoryStore();
  await recordEvents(store, 3);
  /** @type {string[]} */
  const done = [];
  // k0 and k1 hang (a request without a timeout), on a worker with two slots.
  const handler = async (/** @type {unknown} */ _event, /** @type {import('caspay-webhooks').RunContext} */ { key }) => {
    if (key !== 'k2') await new Promise(() => {});
    done.push(key);
  };
  const inbox = new Inbox({ store, handler, leaseSeconds: 0.05, pollIntervalMs: 20, concurrency: 2 }).start();
  t.after(() => inbox.stop());
  const deadline = Date.now() + 5000;
  while (done.length === 0 && Date.now() < deadline) await sleep(20);
  assert.deepEqual(done, ['k2']);
  assert.match(String(errors.mock.calls[0]?.arguments[0]), /has run for 0\.55 s: it counts as hung/);
});
