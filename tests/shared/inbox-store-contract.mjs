// The inbox store contract of docs/inbox.md, shared by the tests of every store: memory,
// SQLite and PostgreSQL (tests/node/inbox-stores.test.mjs) and Durable Objects
// (tests/worker/durable-object.test.mjs, through a probe that makes each call a request).
import assert from 'node:assert/strict';

export const LEASE = 60_000;

/**
 * @param {string} key
 * @param {number} now
 */
const entry = (key, now) => ({ key, type: 'payment.completed', event: JSON.stringify({ idempotencyKey: key }), now });

/**
 * Runs the contract as subtests of `t` on an empty store; `second()` gives another store on
 * the same data, as another process (or request) would have.
 * @param {import('node:test').TestContext} t
 * @param {{ store: import('caspay-webhooks').InboxStore, second: () => import('caspay-webhooks').InboxStore, t0: number }} subject
 */
export async function storeContract(t, { store, second, t0: T0 }) {
  await t.test('record: a new key is received, a copy changes nothing', async () => {
    assert.deepEqual(await store.record(entry('k1', T0)), { created: true, state: 'received', attempts: 0, leaseUntil: null });
    assert.deepEqual(await store.record(entry('k1', T0 + 5)), { created: false, state: 'received', attempts: 0, leaseUntil: null });
    const row = await store.get('k1');
    assert.equal(row?.state, 'received');
    assert.equal(row?.receivedAt, T0);
    assert.equal(await store.get('missing'), null);
  });

  await t.test('claim: one run holds the lease; an expired lease is taken over', async () => {
    const claim = await store.claim({ key: 'k1', now: T0 + 10, leaseMs: LEASE });
    assert.deepEqual(claim, { key: 'k1', event: JSON.stringify({ idempotencyKey: 'k1' }), attempt: 1 });
    assert.equal(await store.claim({ key: 'k1', now: T0 + 20, leaseMs: LEASE }), null);
    assert.equal((await store.record(entry('k1', T0))).state, 'processing');
    const takeover = await store.claim({ key: 'k1', now: T0 + 10 + LEASE, leaseMs: LEASE });
    assert.equal(takeover?.attempt, 2);
    assert.equal((await store.get('k1'))?.leaseUntil, T0 + 10 + 2 * LEASE);
  });

  await t.test('complete: only the run holding the lease finishes the event, once', async () => {
    assert.equal(await store.complete({ key: 'k1', attempt: 1, now: T0 + 100 }), false, 'the stale run');
    assert.equal(await store.fail({ key: 'k1', attempt: 1, error: 'late', now: T0 + 100, nextAttemptAt: T0 + 200 }), false, 'the stale run');
    assert.equal(await store.complete({ key: 'k1', attempt: 2, now: T0 + 100 }), true);
    assert.equal(await store.complete({ key: 'k1', attempt: 2, now: T0 + 101 }), false);
    const row = await store.get('k1');
    assert.deepEqual([row?.state, row?.attempts, row?.completedAt, row?.leaseUntil], ['done', 2, T0 + 100, null]);
    assert.equal(await store.claim({ key: 'k1', now: T0 + 10 * LEASE, leaseMs: LEASE }), null);
    assert.equal(await store.claim({ key: null, now: T0 + 10 * LEASE, leaseMs: LEASE }), null);
    assert.deepEqual(await store.record(entry('k1', T0)), { created: false, state: 'done', attempts: 2, leaseUntil: null });
  });

  await t.test('fail: backoff before the next claim, then dead after the last attempt', async () => {
    await store.record(entry('k2', T0 + 1));
    const first = await store.claim({ key: null, now: T0 + 2, leaseMs: LEASE });
    assert.equal(first?.key, 'k2');
    assert.equal(await store.fail({ key: 'k2', attempt: 1, error: 'Error: boom', now: T0 + 3, nextAttemptAt: T0 + 10_000 }), true);
    const failed = await store.get('k2');
    assert.deepEqual([failed?.state, failed?.lastError, failed?.nextAttemptAt, failed?.leaseUntil], ['failed', 'Error: boom', T0 + 10_000, null]);
    assert.equal(await store.claim({ key: null, now: T0 + 9_999, leaseMs: LEASE }), null, 'not due yet');
    assert.equal(await store.claim({ key: 'k2', now: T0 + 9_999, leaseMs: LEASE }), null, 'not due yet');
    const due = await store.claim({ key: 'k2', now: T0 + 10_000, leaseMs: LEASE });
    assert.equal(due?.attempt, 2, 'taken once its retry is due');
    assert.equal(await store.fail({ key: 'k2', attempt: 2, error: 'Error: again', now: T0 + 10_001, nextAttemptAt: null }), true);
    assert.equal((await store.get('k2'))?.state, 'dead');
    assert.equal(await store.claim({ key: 'k2', now: T0 + 10 * LEASE, leaseMs: LEASE }), null);
    assert.deepEqual((await store.list({ state: 'dead' })).map((row) => row.key), ['k2']);
    assert.equal(await store.retry('k2', T0 + 11_000), true);
    assert.equal(await store.retry('k1', T0 + 11_000), false, 'done events are not re-run');
    assert.equal((await store.get('k2'))?.state, 'received');
    assert.equal((await store.claim({ key: null, now: T0 + 11_001, leaseMs: LEASE }))?.attempt, 3);
  });

  await t.test('claim any: oldest due first; concurrent workers never share an event', async () => {
    const other = second();
    const keys = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    for (const [i, key] of keys.entries()) await store.record(entry(key, T0 + 100 + i));
    const now = T0 + 1_000;
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? other : store).claim({ key: null, now, leaseMs: LEASE })));
    const got = claims.filter((c) => c !== null).map((c) => /** @type {import('caspay-webhooks').Claim} */ (c));
    assert.deepEqual(got.map((c) => c.key).sort(), keys, 'each event claimed exactly once');
    assert.ok(got.every((c) => c.attempt === 1));
    const copies = await Promise.all(keys.map((key) => other.record(entry(key, now))));
    assert.ok(copies.every((r) => !r.created && r.state === 'processing'));
  });

  await t.test('concurrent copies of one new event: exactly one records it', async () => {
    const other = second();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).record(entry('same', T0 + 2_000))));
    assert.equal(results.filter((r) => r.created).length, 1);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claim({ key: 'same', now: T0 + 2_001, leaseMs: LEASE })));
    assert.equal(claims.filter((c) => c !== null).length, 1);
  });

  await t.test('prune forgets old done events only', async () => {
    assert.equal(await store.prune(T0 + 100), 0);
    assert.equal(await store.prune(T0 + 101), 1);
    assert.equal(await store.get('k1'), null);
    assert.ok((await store.list()).length > 0);
  });
}

/**
 * The optional `extend` of the stores that have it (memory, SQLite, PostgreSQL): only the
 * run holding the lease moves it, and a moved lease is not taken over.
 * @param {import('node:test').TestContext} t
 * @param {{ store: import('caspay-webhooks').InboxStore, t0: number }} subject
 */
export async function leaseRenewalContract(t, { store, t0: T0 }) {
  const extend = /** @type {NonNullable<import('caspay-webhooks').InboxStore['extend']>} */ (store.extend?.bind(store));
  assert.equal(typeof extend, 'function');
  await store.record(entry('renewed', T0));
  assert.equal((await store.claim({ key: 'renewed', now: T0, leaseMs: LEASE }))?.attempt, 1);
  assert.equal(await extend({ key: 'renewed', attempt: 1, now: T0 + LEASE / 2, leaseMs: LEASE }), true);
  assert.equal((await store.get('renewed'))?.leaseUntil, T0 + LEASE / 2 + LEASE);
  assert.equal(await store.claim({ key: 'renewed', now: T0 + LEASE + 1, leaseMs: LEASE }), null, 'the moved lease holds');
  assert.equal(await store.claim({ key: null, now: T0 + LEASE + 1, leaseMs: LEASE }), null, 'for workers too');
  assert.equal(await extend({ key: 'renewed', attempt: 2, now: T0 + LEASE, leaseMs: LEASE }), false, 'not held by attempt 2');
  const takeover = await store.claim({ key: 'renewed', now: T0 + LEASE / 2 + LEASE, leaseMs: LEASE });
  assert.equal(takeover?.attempt, 2, 'a lease no longer extended is taken over');
  assert.equal(await extend({ key: 'renewed', attempt: 1, now: T0 + 2 * LEASE, leaseMs: LEASE }), false, 'the stale run');
  assert.equal(await store.complete({ key: 'renewed', attempt: 2, now: T0 + 2 * LEASE }), true);
  assert.equal(await extend({ key: 'renewed', attempt: 2, now: T0 + 2 * LEASE, leaseMs: LEASE }), false, 'a done event');
}
