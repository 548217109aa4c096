// The contract every inbox store follows (docs/inbox.md: tests/shared/inbox-store-contract.mjs),
// run against each real store: memory, SQLite (a file), and PostgreSQL (a private server
// started here; two pools stand for two receiver processes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inbox, MemoryStore, parseEvent, sampleEvent } from 'caspay-webhooks';
import { SqliteStore } from 'caspay-webhooks/sqlite';
import { PostgresStore } from 'caspay-webhooks/postgres';
import { startPostgres } from '../support/postgres.mjs';
import { leaseRenewalContract, storeContract } from '../shared/inbox-store-contract.mjs';

const T0 = 1_795_773_600_000;

/** @type {{ url: string, stop: () => void }} */
let postgres;
const dir = mkdtempSync(join(tmpdir(), 'caspay-stores-'));
let tables = 0;

before(async () => { postgres = await startPostgres(); });
after(() => {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Fresh, empty stores of each kind; `second` shares the first's data like another process.
 * @type {Record<string, () => Promise<{ store: import('caspay-webhooks').InboxStore, second: () => import('caspay-webhooks').InboxStore, close: () => Promise<void> }>>}
 */
const kinds = {
  memory: async () => {
    const store = new MemoryStore();
    return { store, second: () => store, close: async () => {} };
  },
  sqlite: async () => {
    const file = join(dir, `inbox-${tables++}.db`);
    const store = new SqliteStore(file);
    /** @type {SqliteStore[]} */
    const others = [];
    return {
      store,
      second: () => { const other = new SqliteStore(file); others.push(other); return other; },
      close: async () => { await store.close(); for (const o of others) await o.close(); },
    };
  },
  postgres: async () => {
    const { default: pg } = await import('pg');
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    const database = `inbox_${tables++}`;
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = postgres.url.replace(/\/postgres$/, `/${database}`);
    const store = new PostgresStore(url);
    /** @type {PostgresStore[]} */
    const others = [];
    return {
      store,
      second: () => { const other = new PostgresStore(url); others.push(other); return other; },
      close: async () => { await store.close(); for (const o of others) await o.close(); },
    };
  },
};

for (const [kind, open] of Object.entries(kinds)) {
  test(`${kind} store follows the inbox state machine`, async (t) => {
    const { store, second, close } = await open();
    t.after(close);

    await storeContract(t, { store, second, t0: T0 });
  });

  test(`${kind} store extends the lease of a running event`, async (t) => {
    const { store, close } = await open();
    t.after(close);
    await leaseRenewalContract(t, { store, t0: T0 });
  });
}

for (const [kind, open] of Object.entries(kinds)) {
  test(`${kind}: a failing handler under a jittered backoff is recorded as failed, with its error`, async (t) => {
    const { store, close } = await open();
    t.after(close);
    // A common custom backoff; the fractions must not reach PostgreSQL's bigint columns.
    const inbox = new Inbox({ store, handler: () => { throw new Error('the order service is down'); }, backoff: (attempts) => 1000 * 2 ** attempts * (0.5 + Math.random()) });
    const answer = await inbox.acceptAndProcess(parseEvent(sampleEvent('payment.completed', 'a')));
    assert.equal(answer.status, 500, JSON.stringify(answer.body));
    const [entry] = await store.list({ state: 'failed' });
    assert.match(entry?.lastError ?? '', /the order service is down/);
    assert.ok(Number.isInteger(entry?.nextAttemptAt), String(entry?.nextAttemptAt));
  });
}

test('postgres: the server dropping an idle connection neither crashes the process nor the store', async (t) => {
  const { default: pg } = await import('pg');
  const database = `inbox_${tables++}`;
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  t.after(() => admin.end());
  await admin.query(`CREATE DATABASE ${database}`);
  const store = new PostgresStore(postgres.url.replace(/\/postgres$/, `/${database}`));
  t.after(() => store.close());
  assert.equal(await store.get('k'), null);
  // The store's connection is idle in its pool now; the server ends it, as a restart would.
  const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
  assert.ok(rowCount && rowCount > 0, 'the store had an open connection to end');
  // An unhandled pool error would surface here as an uncaught exception and fail this test.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await store.get('k'), null, 'the next call opens a new connection');
});

test('postgres: a database that is not there when the store starts is used once it is', async (t) => {
  const { default: pg } = await import('pg');
  const database = `inbox_${tables++}`;
  const store = new PostgresStore(postgres.url.replace(/\/postgres$/, `/${database}`));
  t.after(() => store.close());
  // As a process started before its database (a deploy racing the database's restart).
  await assert.rejects(store.get('k'), /does not exist/);
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  t.after(() => admin.end());
  await admin.query(`CREATE DATABASE ${database}`);
  // The failed first start is not remembered: the table is created now, and events recorded.
  assert.equal(await store.get('k'), null);
  const recorded = await store.record({ key: 'k', type: 'payment.completed', event: '{}', now: T0 });
  assert.equal(recorded.created, true);
});

test('postgres: a server that accepts and never answers is reported within CasPay\'s 10 s, and the receiver answers 503', { timeout: 20_000 }, async (t) => {
  const { createServer } = await import('node:net');
  /** @type {import('node:net').Socket[]} */
  const sockets = [];
  const silent = createServer((socket) => { sockets.push(socket); }).listen(0, '127.0.0.1');
  await new Promise((resolve) => silent.once('listening', resolve));
  t.after(() => { for (const socket of sockets) socket.destroy(); silent.close(); });
  const { port } = /** @type {import('node:net').AddressInfo} */ (silent.address());
  const store = new PostgresStore(`postgres://caspay@127.0.0.1:${port}/caspay`);
  t.after(() => store.close().catch(() => {}));
  const started = Date.now();
  const answer = await new Inbox({ store, handler: () => {} }).acceptAndProcess(parseEvent(sampleEvent('payment.received', 'c')));
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual([answer.status, answer.body.error], [503, 'store_unavailable']);
  assert.ok(seconds < 8, `answered after ${seconds} s`);
});
