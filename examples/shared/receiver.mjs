// What the Node examples share: the store chosen from the environment, the receiver's log
// lines, and the example's work. Copy it into your app and replace `fulfil`.
import { createReceiver, MemoryStore } from 'caspay-webhooks';

/** Largest body accepted; CasPay events are a few hundred bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The inbox store: PostgreSQL when DATABASE_URL is set (receivers on several processes or
 * machines), otherwise a SQLite file (CASPAY_INBOX, default ./caspay-inbox.db).
 * CASPAY_INBOX=:memory: keeps it in memory (demos only: a restart forgets everything).
 * @returns {Promise<import('caspay-webhooks').InboxStore>}
 */
export async function openStore() {
  if (process.env.DATABASE_URL) {
    const { PostgresStore } = await import('caspay-webhooks/postgres');
    return new PostgresStore(process.env.DATABASE_URL);
  }
  const file = process.env.CASPAY_INBOX ?? 'caspay-inbox.db';
  if (file === ':memory:') return new MemoryStore();
  const { SqliteStore } = await import('caspay-webhooks/sqlite');
  return new SqliteStore(file);
}

/**
 * A receiver that records each verified event, answers, and processes it in a worker loop
 * in this process (events left behind by a crash are picked up again at start).
 * @param {{ store: import('caspay-webhooks').InboxStore, secrets: string[], handler: (event: import('caspay-webhooks').CasPayEvent, context: import('caspay-webhooks').RunContext) => unknown }} options
 */
export function buildReceiver({ store, secrets, handler }) {
  return createReceiver({
    secrets,
    store,
    processing: 'background',
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
    // How soon a run whose process died is taken over (default 60 s); a running handler
    // keeps its lease, for up to 10 leases.
    leaseSeconds: Number(process.env.CASPAY_LEASE_SECONDS ?? 60),
    onDelivery: logDelivery,
    onRun: logRun,
  }).on('*', handler);
}

/**
 * One line per delivery: never the body, never the secret.
 * @param {import('caspay-webhooks').DeliveryReport} report
 */
export function logDelivery({ status, code, event }) {
  const what = event ? `${event.type} ${event.idempotencyKey}` : '';
  const note = code === null ? 'accepted' : code === 'duplicate_event' ? 'duplicate' : code;
  console.log(`${new Date().toISOString()} ${status} ${note} ${what}`.trimEnd());
}

/**
 * One line per finished processing run, so an operator can count runs per event.
 * @param {import('caspay-webhooks').RunReport} report
 */
export function logRun({ event, key, attempt, outcome, error }) {
  if (outcome === 'done') console.log(`processed ${event.type} ${key} attempt ${attempt}`);
  else console.error(`processing ${outcome} ${event.type} ${key} attempt ${attempt}: ${error ?? ''}`);
}

/** The types that say a payment arrived: what CasPay's server posts today, and the documented one. */
const PAID = new Set(['payment.received', 'payment.completed']);

/**
 * The example's work: fulfil the order of a paid payment once (not of a failed or pending
 * one). Handlers run at least once (a crash after the work but before it is recorded as
 * done runs it again), so real work is keyed on the payment id; here the stand-in is a
 * log line with the exact amount.
 * @param {import('caspay-webhooks').CasPayEvent} event
 * @param {import('caspay-webhooks').RunContext} context
 */
export async function fulfil(event, { key, attempt }) {
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.CASPAY_PROCESSING_MS ?? 0)));
  if (event.category === 'payment' && PAID.has(event.kind)) {
    const { amount, currency, id } = event.payment;
    const motes = amount.motes === null ? `${amount.value} ${currency} (not CSPR)` : `${amount.motes} motes`;
    console.log(`fulfil payment ${id}: ${motes} (key ${key}, attempt ${attempt})`);
  }
}

/** The endpoint secret(s), comma-separated during a rotation (current first). */
export function secretsFromEnv() {
  const secrets = (process.env.CASPAY_WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) {
    console.error('Set CASPAY_WEBHOOK_SECRET to the endpoint secret (whsec_...) from the CasPay dashboard.');
    process.exit(1);
  }
  return secrets;
}

/**
 * Stops accepting, lets runs in progress finish, then closes the store, on SIGTERM/SIGINT.
 * @param {{ close(callback: () => void): unknown }} server
 * @param {import('caspay-webhooks').Receiver} receiver
 * @param {import('caspay-webhooks').InboxStore} store
 */
export function stopOnSignals(server, receiver, store) {
  const stop = async () => {
    server.close(() => {});
    await receiver.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
