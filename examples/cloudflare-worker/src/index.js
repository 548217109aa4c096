// A CasPay webhook receiver as a Cloudflare module Worker, with its inbox on Durable
// Objects. The Worker verifies each delivery (the package's WebAssembly core: no Node API,
// no WebCrypto) and hands the event to the Durable Object of its idempotency key, which
// records it (the 200 goes out once it is stored), then processes it from its alarm:
// copies are answered as duplicates, a failing run is retried with backoff, a run that died
// is run again when its lease ends, and nothing waits on the request or on CasPay.
import { acceptWebhook, createInboxObject, inboxAdmin } from 'caspay-webhooks/durable-object';
import { fulfil } from './fulfil.js';

export { Ledger } from './ledger.js';

/**
 * @typedef {{
 *   CASPAY_WEBHOOK_SECRET?: string,
 *   INBOX_ADMIN_TOKEN?: string,
 *   CASPAY_INBOX: DurableObjectNamespace,
 *   LEDGER: DurableObjectNamespace,
 *   PROCESSING_DELAY_MS?: string,
 *   INBOX_LEASE_SECONDS?: string,
 * }} Env
 */

/** One line per finished run. @param {import('caspay-webhooks').RunReport} report */
function logRun({ event, key, attempt, outcome, error }) {
  if (outcome === 'done') console.log(`processed ${event.type} ${key} attempt ${attempt}`);
  else console.error(`processing ${outcome} ${event.type} ${key} attempt ${attempt}: ${error ?? 'the lease had expired'}`);
}

/**
 * The inbox: one object per event, and the work it runs. Exported under the class name
 * wrangler.toml binds (`CASPAY_INBOX` → `CasPayInbox`).
 */
export class CasPayInbox extends createInboxObject(
  /** @type {import('caspay-webhooks/durable-object').InboxObjectHandler<Env>} */
  (event, { key }, env) => fulfil(event, key, env),
  (env) => ({ leaseSeconds: Number(env.INBOX_LEASE_SECONDS ?? 60), onRun: logRun }),
) {}

/**
 * @param {number} status
 * @param {object} json
 */
const reply = (status, json) => Response.json(json, { status });

/** One log line per delivery: never the body, never the secret. @param {import('caspay-webhooks').DeliveryReport} report */
function logDelivery({ status, code, event }) {
  const what = event ? `${event.type} ${event.idempotencyKey}` : '';
  const note = code === 'duplicate_event' ? 'duplicate' : code === null ? 'accepted' : `rejected ${code}`;
  console.log(`caspay-webhook ${status} ${note} ${what}`.trimEnd());
}

/**
 * Compares without an early exit, so the answer's timing does not tell how much of a
 * guessed token was right (only its length).
 * @param {string} given
 * @param {string} expected
 */
function sameToken(given, expected) {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/**
 * The operator's routes, behind `Authorization: Bearer <INBOX_ADMIN_TOKEN>` (absent without
 * the secret): `GET /inbox?state=failed|dead`, `GET /inbox/<key>`, `POST /inbox/<key>/retry`.
 * @param {Request} request
 * @param {Env} env
 * @param {string[]} path the segments after `/inbox`
 */
async function handleAdmin(request, env, path) {
  const token = env.INBOX_ADMIN_TOKEN;
  if (!token) return reply(404, { error: 'not_found' });
  if (!sameToken(request.headers.get('authorization') ?? '', `Bearer ${token}`)) return reply(401, { error: 'unauthorized' });
  const admin = inboxAdmin(env.CASPAY_INBOX);
  const [key, action] = path.map(decodeURIComponent);
  if (request.method === 'GET' && key === undefined) {
    const params = new URL(request.url).searchParams;
    const state = params.get('state');
    if (state !== null && state !== 'failed' && state !== 'dead') return reply(400, { error: 'state is failed or dead' });
    const limit = Number(params.get('limit') ?? 100);
    const offset = Number(params.get('offset') ?? 0);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000 && Number.isInteger(offset) && offset >= 0)) {
      return reply(400, { error: 'limit is 1 to 1000, offset 0 or more' });
    }
    return reply(200, { entries: await admin.list({ ...(state === null ? {} : { state }), limit, offset }) });
  }
  if (request.method === 'GET' && key !== undefined && action === undefined) {
    const entry = await admin.get(key);
    return entry === null ? reply(404, { error: 'not_found' }) : reply(200, { entry });
  }
  if (request.method === 'POST' && action === 'retry') return reply(200, { retried: await admin.retry(key) });
  return reply(404, { error: 'not_found' });
}

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   */
  async fetch(request, env) {
    const [first, ...rest] = new URL(request.url).pathname.split('/').filter(Boolean);
    if (first === 'inbox') return handleAdmin(request, env, rest);
    if (first !== 'webhook' || rest.length > 0) return reply(404, { error: 'not_found' });
    if (!env.CASPAY_WEBHOOK_SECRET) {
      console.error('caspay-webhook 500 set the secret: wrangler secret put CASPAY_WEBHOOK_SECRET');
      // A 500 makes CasPay retry, so deliveries are not lost while the secret is missing.
      return reply(500, { error: 'not_configured' });
    }
    return acceptWebhook(request, {
      inbox: env.CASPAY_INBOX,
      // "whsec_new,whsec_old" during a rotation, current first.
      secret: env.CASPAY_WEBHOOK_SECRET.split(',').filter(Boolean),
      onDelivery: logDelivery,
    });
  },
};
