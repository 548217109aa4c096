// The example Worker's inbox across a stopped workerd: the objects' storage, alarms
// included, is kept on disk (miniflare's durableObjectsPersist), workerd is disposed (its
// process ends; the runs in progress die with it) and started again on the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent, sampleEvent, sign } from '../../pkg/src/node.js';
import { EXAMPLE_ENTRY, eventually, ledgerOf, startWorker } from './harness.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const ADMIN_TOKEN = 'admin-token-for-the-tests';

/**
 * @param {(dir: string) => Promise<void>} body
 */
async function withPersistDir(body) {
  const dir = mkdtempSync(join(tmpdir(), 'caspay-do-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * @param {string} persistDir
 * @param {{ delayMs: number, leaseSeconds: number }} settings
 */
function start(persistDir, { delayMs, leaseSeconds }) {
  return startWorker({
    entry: EXAMPLE_ENTRY,
    persistDir,
    bindings: { CASPAY_WEBHOOK_SECRET: SECRET, INBOX_ADMIN_TOKEN: ADMIN_TOKEN, PROCESSING_DELAY_MS: String(delayMs), INBOX_LEASE_SECONDS: String(leaseSeconds) },
  });
}

/**
 * @param {URL} url
 * @param {string} body
 */
async function deliver(url, body) {
  const response = await fetch(new URL('/webhook', url), { method: 'POST', body, headers: { 'x-caspay-signature': sign(body, SECRET) } });
  return { status: response.status, json: await response.json() };
}

/**
 * @param {URL} url
 * @param {string} key
 */
async function entryOf(url, key) {
  const response = await fetch(new URL(`/inbox/${encodeURIComponent(key)}`, url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return response.status === 404 ? null : (await response.json()).entry;
}

test('a run killed mid-way is run again after the restart: processed exactly once, nothing lost', () => withPersistDir(async (dir) => {
  const settings = { delayMs: 2000, leaseSeconds: 4 };
  const body = sampleEvent('payment.completed', 'a', { seed: `restart-${process.pid}` });
  const key = parseEvent(body).idempotencyKey;
  const first = await start(dir, settings);
  try {
    assert.deepEqual(await deliver(first.url, body), { status: 200, json: { received: true } });
    await eventually(async () => ((await entryOf(first.url, key))?.state === 'processing' ? true : undefined), 'the run to start');
  } finally {
    // workerd stops while the handler waits in its stand-in work, before its side effect.
    await first.dispose();
  }
  const second = await start(dir, settings);
  try {
    const ledger = await ledgerOf(second.mf);
    // Nothing is sent again: the alarm set for the end of the dead run's lease brings it back.
    const record = await eventually(async () => (await ledger.get(key)) ?? undefined, 'the event to be processed after the restart');
    assert.equal(record.times, 1);
    const entry = await eventually(async () => {
      const current = await entryOf(second.url, key);
      return current?.state === 'done' ? current : undefined;
    }, 'the event to be done');
    assert.equal(entry.attempts, 2, 'the killed run was attempt 1');
    assert.deepEqual(second.logs.filter((line) => line.startsWith('processed ')), [`processed payment.completed ${key} attempt 2`]);
    assert.deepEqual(await deliver(second.url, body), { status: 200, json: { duplicate: true } });
    await new Promise((resolve) => setTimeout(resolve, settings.leaseSeconds * 1000));
    assert.equal((await ledger.get(key))?.times, 1, 'no further run');
  } finally {
    await second.dispose();
  }
}));

test('every 200 is answered after the event is stored: killed right after the 200s, every event is there on restart', () => withPersistDir(async (dir) => {
  // The work takes longer than the sending, so when workerd stops nothing has been
  // processed: what the restart finds was recorded by the answer itself. Runs that had
  // started come back when their lease ends.
  const settings = { delayMs: 3000, leaseSeconds: 5 };
  const bodies = Array.from({ length: 60 }, (_, i) => sampleEvent(i % 2 ? 'payment.received' : 'subscription.renewed', i % 3 ? 'c' : 'a', { seed: `kill-${process.pid}-${i}` }));
  const keys = bodies.map((body) => parseEvent(body).idempotencyKey);
  const first = await start(dir, settings);
  /** @type {Set<number>} */
  const accepted = new Set();
  try {
    let next = 0;
    let stopped = false;
    /** @type {Promise<void>} */
    let stopping = Promise.resolve();
    // 8 senders; workerd is stopped the moment the 30th 200 arrives, with deliveries in flight.
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (!stopped && next < bodies.length) {
        const i = next++;
        const answer = await deliver(first.url, bodies[i]).catch(() => null);
        if (answer?.status === 200 && !stopped) {
          accepted.add(i);
          if (accepted.size === 30) {
            stopped = true;
            stopping = first.dispose();
          }
        }
      }
    }));
    await stopping;
  } finally {
    if (accepted.size < 30) await first.dispose();
  }
  assert.equal(accepted.size, 30);
  const second = await start(dir, settings);
  try {
    for (const i of accepted) assert.notEqual(await entryOf(second.url, keys[i]), null, `event ${i} was answered 200, so it is recorded`);
    const ledger = await ledgerOf(second.mf);
    const counts = await eventually(async () => {
      const all = await ledger.all();
      return [...accepted].every((i) => all[keys[i]] !== undefined) ? all : undefined;
    }, 'every accepted event to be processed after the restart', 30_000);
    assert.deepEqual([...accepted].filter((i) => counts[keys[i]].times !== 1), [], 'processed once each');
  } finally {
    await second.dispose();
  }
}));
