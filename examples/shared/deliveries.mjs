// What every CasPay receiver does with one delivery, whatever the framework: verify,
// dedupe, answer at once, process afterwards. The examples share it; copy it into your app.
import { WebhookError } from 'caspay-webhooks';

/** Largest body accepted; CasPay events are a few hundred bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * Decides the answer for one delivery.
 * @param {import('caspay-webhooks').Webhook} webhook
 * @param {import('caspay-webhooks').Deduper} deduper
 * @param {Uint8Array | string} body the raw body
 * @param {import('caspay-webhooks').SignatureSource} headers
 * @returns {Promise<Outcome>}
 */
export async function acceptDelivery(webhook, deduper, body, headers) {
  let event;
  try {
    event = webhook.verify(body, headers);
    await deduper.claim(event);
    return { status: 200, json: { received: true }, event, isNew: true };
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    if (error.code === 'duplicate_event') return { status: 200, json: { duplicate: true }, event, isNew: false };
    return { status: error.httpStatus, json: { error: error.code, message: error.message }, error, isNew: false };
  }
}

/**
 * @typedef {object} Outcome
 * @property {number} status the HTTP status to answer with
 * @property {object} json the response body
 * @property {boolean} isNew whether the event is verified and seen for the first time
 * @property {import('caspay-webhooks').CasPayEvent} [event] the verified event
 * @property {WebhookError} [error] why the delivery was refused
 */

/**
 * Runs the merchant's (slow) work after the 200 went out. On failure the key is released,
 * so CasPay's next retry is processed instead of being answered as a duplicate.
 * @param {import('caspay-webhooks').CasPayEvent} event
 * @param {import('caspay-webhooks').Deduper} deduper
 * @param {(event: import('caspay-webhooks').CasPayEvent) => Promise<void>} work
 */
export async function processAfterResponse(event, deduper, work) {
  try {
    await work(event);
    console.log(`processed ${event.type} ${event.idempotencyKey}`);
  } catch (error) {
    await deduper.release(event);
    console.error(`processing failed for ${event.idempotencyKey}; released for CasPay's retry:`, error);
  }
}

/**
 * One log line per delivery.
 * @param {Partial<Outcome> & { status: number }} outcome
 */
export function logDelivery(outcome) {
  const what = outcome.event ? `${outcome.event.type} ${outcome.event.idempotencyKey}` : outcome.error?.code ?? '';
  const note = outcome.isNew ? 'accepted' : outcome.event ? 'duplicate' : 'rejected';
  console.log(`${new Date().toISOString()} ${outcome.status} ${note} ${what}`);
}

/**
 * The example's stand-in for real work (fulfil the order, extend the subscription…).
 * @param {import('caspay-webhooks').CasPayEvent} event
 */
export async function fulfil(event) {
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.CASPAY_PROCESSING_MS ?? 500)));
  if (event.category === 'payment') console.log(`payment ${event.payment.id}: amount ${event.payment.amount} (${event.payment.currency}, exact text as sent)`);
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
