// A CasPay webhook receiver as a Cloudflare module Worker. The package's Workers entry
// (export condition `workerd`) verifies with the WebAssembly core: no Node API, no WebCrypto.
import { Webhook, WebhookError, createDeduper } from 'caspay-webhooks';
import { readLimitedBody } from './body.js';
import { kvDedupeStore } from './kv-store.js';
import { fulfil } from './fulfil.js';

// Largest body accepted; CasPay events are a few hundred bytes. (Not exported: workerd
// treats every named export of the entry as a handler.)
const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * @typedef {{ CASPAY_WEBHOOK_SECRET?: string, WEBHOOKS: KVNamespace, PROCESSING_DELAY_MS?: string }} Env
 * @typedef {{ status: number, event?: import('caspay-webhooks').CasPayEvent, code?: string }} Outcome
 */

// The keyed HMAC state is worth keeping across requests of one isolate; it is rebuilt
// when the secret binding changes (a rotation: "whsec_new,whsec_old", current first).
/** @type {{ secrets: string, webhook: Webhook } | null} */
let cached = null;

/** @param {string} secrets */
function webhookFor(secrets) {
  if (cached === null || cached.secrets !== secrets) {
    cached = { secrets, webhook: new Webhook(secrets.split(',').filter(Boolean), { maxPayloadBytes: MAX_PAYLOAD_BYTES }) };
  }
  return cached.webhook;
}

/**
 * @param {number} status
 * @param {object} json
 */
const reply = (status, json) => Response.json(json, { status });

/** One log line per delivery: never the body, never the secret. @param {Outcome} outcome */
function logDelivery(outcome) {
  const what = outcome.event ? `${outcome.event.type} ${outcome.event.idempotencyKey}` : '';
  const note = outcome.code === 'duplicate_event' ? 'duplicate' : outcome.event ? 'accepted' : `rejected ${outcome.code}`;
  console.log(`caspay-webhook ${outcome.status} ${note} ${what}`.trimEnd());
}

/**
 * Runs after the 200 went out. On failure the key is released so CasPay's next retry is
 * processed instead of being answered as a duplicate.
 * @param {import('caspay-webhooks').CasPayEvent} event
 * @param {import('caspay-webhooks').Deduper} deduper
 * @param {Env} env
 */
async function processAfterResponse(event, deduper, env) {
  try {
    await fulfil(event, env);
  } catch (error) {
    await deduper.release(event);
    console.error(`caspay-webhook processing failed for ${event.idempotencyKey}; released for CasPay's retry: ${error}`);
  }
}

/**
 * @param {Request} request
 * @param {Env} env
 * @param {ExecutionContext} ctx
 */
async function handleDelivery(request, env, ctx) {
  if (!env.CASPAY_WEBHOOK_SECRET) {
    console.error('caspay-webhook 500 set the secret: wrangler secret put CASPAY_WEBHOOK_SECRET');
    // A 500 makes CasPay retry, so deliveries are not lost while the secret is missing.
    return reply(500, { error: 'not_configured' });
  }
  const body = await readLimitedBody(request, MAX_PAYLOAD_BYTES);
  if (body === null) {
    logDelivery({ status: 413, code: 'payload_too_large' });
    return reply(413, { error: 'payload_too_large', message: `The body exceeds ${MAX_PAYLOAD_BYTES} bytes.` });
  }
  const deduper = createDeduper({ store: kvDedupeStore(env.WEBHOOKS) });
  /** @type {import('caspay-webhooks').CasPayEvent | undefined} */
  let event;
  try {
    event = webhookFor(env.CASPAY_WEBHOOK_SECRET).verify(body, request.headers);
    await deduper.claim(event);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    logDelivery({ status: error.httpStatus, code: error.code, event });
    if (error.code === 'duplicate_event') return reply(200, { duplicate: true });
    return reply(error.httpStatus, { error: error.code, message: error.message });
  }
  logDelivery({ status: 200, event });
  // CasPay wants its 200 within 5 seconds: the work continues after the response.
  ctx.waitUntil(processAfterResponse(event, deduper, env));
  return reply(200, { received: true });
}

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   * @param {ExecutionContext} ctx
   */
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname !== '/webhook') return reply(404, { error: 'not_found' });
    if (request.method !== 'POST') {
      return new Response(JSON.stringify({ error: 'method_not_allowed' }), {
        status: 405,
        headers: { 'content-type': 'application/json', allow: 'POST' },
      });
    }
    return handleDelivery(request, env, ctx);
  },
};
