// The example's stand-in for the merchant's real work, run inside the event's Durable
// Object for every event: it records each run in the ledger, to be observed from outside.
// Real work chooses by type: fulfil an order only for a paid payment (`payment.received`,
// what CasPay's server posts today, and the documented `payment.completed`), never for
// `payment.failed` or `payment.pending`. It may run more than once for one event (a run that
// died after its side effects is run again), so it is keyed on what it acts on: an order on
// its payment id, anything else on the event's idempotency key.
import { ledgerObject } from './ledger.js';

/**
 * @param {import('caspay-webhooks').CasPayEvent} event
 * @param {string} key the event's idempotency key
 * @param {{ LEDGER: DurableObjectNamespace, PROCESSING_DELAY_MS?: string }} env
 */
export async function fulfil(event, key, env) {
  const delay = Number(env.PROCESSING_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const details = event.payment ?? event.subscription;
  const response = await ledgerObject(env.LEDGER).fetch('https://ledger/fulfil', {
    method: 'POST',
    body: JSON.stringify({ key, type: event.type, amount: details?.amount ?? null, currency: details?.currency ?? null }),
  });
  // Throwing makes the inbox retry the event later.
  if (!response.ok) throw new Error(`the ledger answered ${response.status}`);
}
