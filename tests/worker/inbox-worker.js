// A Worker for the tests of caspay-webhooks/durable-object on workerd, next to the example:
//   /probe/<object>/<instance>/<method>  calls a DurableObjectStore method inside a StoreProbe
//                                        object (the store contract, on real storage)
//   /probe/<object>/alarm                that object's alarm
//   /webhook                             acceptWebhook into FlakyInbox, whose handler fails
//                                        its first `metadata.fail_times` attempts, and resets
//                                        its object (as a lost isolate) on attempt
//                                        `metadata.reset_on_attempt`
//   /webhook-unreachable                 acceptWebhook into objects that always throw
//   /webhook-brief                       acceptWebhook into BriefInbox, which forgets done
//                                        events after 3 seconds
//   /admin/list|get|retry                inboxAdmin over FlakyInbox (BriefInbox with ?inbox=brief)
// The work itself is the example's (its fulfil and ledger), so the counts are read the same way.
import { DurableObjectStore, acceptWebhook, createInboxObject, inboxAdmin } from 'caspay-webhooks/durable-object';
import { fulfil } from '../../examples/cloudflare-worker/src/fulfil.js';

export { Ledger } from '../../examples/cloudflare-worker/src/ledger.js';

/**
 * @typedef {{
 *   SECRET: string,
 *   FLAKY_INBOX: DurableObjectNamespace,
 *   UNREACHABLE: DurableObjectNamespace,
 *   PROBE: DurableObjectNamespace,
 *   LEDGER: DurableObjectNamespace,
 *   BRIEF_INBOX: DurableObjectNamespace,
 * }} Env
 */

/**
 * The state of the object whose alarm runs now, for the handler to reset it: the tests send
 * one resetting event at a time.
 * @type {{ abort(reason: string): void } | null}
 */
let running = null;
/** Events whose object was reset once after going dead. */
const resetWhenDead = new Set();

const flakyBase = createInboxObject(
  /** @type {import('caspay-webhooks/durable-object').InboxObjectHandler<Env>} */
  (async (event, { key, attempt }, env) => {
    const metadata = /** @type {any} */ (event.payment?.metadata);
    if (attempt <= Number(metadata?.fail_times ?? 0)) throw new Error(`the order service is down (attempt ${attempt})`);
    // The runtime's reset of an object: its run dies mid-way, nothing after it runs.
    if (attempt === metadata?.reset_on_attempt) running?.abort('the isolate went away mid-run');
    await fulfil(event, key, env);
  }),
  {
    binding: 'FLAKY_INBOX',
    leaseSeconds: 5,
    maxAttempts: 3,
    backoff: (attempts) => 200 * attempts,
    onRun: ({ event, key, attempt, outcome }) => {
      console.log(`run ${key} attempt ${attempt} ${outcome}`);
      // A reset right after a run's outcome is written, before the alarm updates the index.
      if (outcome === 'dead' && /** @type {any} */ (event.payment?.metadata)?.reset_when_dead && !resetWhenDead.has(key)) {
        resetWhenDead.add(key);
        running?.abort('the isolate went away after the outcome');
      }
    },
  },
);

export class FlakyInbox extends flakyBase {
  #ctx;

  /**
   * @param {import('caspay-webhooks/durable-object').DurableObjectStateLike & { abort(reason: string): void }} ctx
   * @param {Env} env
   */
  constructor(ctx, env) {
    super(ctx, env);
    this.#ctx = ctx;
  }

  alarm() {
    running = this.#ctx;
    return super.alarm();
  }
}

/** Remembers a done event for 3 seconds instead of 90 days. */
export class BriefInbox extends createInboxObject(
  /** @type {import('caspay-webhooks/durable-object').InboxObjectHandler<Env>} */
  ((event, { key }, env) => fulfil(event, key, env)),
  { binding: 'BRIEF_INBOX', retainDoneSeconds: 3 },
) {}

/** An inbox object that cannot take anything: its storage is "down". */
export class UnreachableInbox {
  fetch() {
    throw new Error('the object is unavailable');
  }
}

/** Exposes one object's stores to the contract test; `instance` picks a store on the same storage. */
export class StoreProbe {
  #storage;
  /** @type {Map<string, DurableObjectStore>} */
  #stores = new Map();

  /** @param {{ storage: import('caspay-webhooks/durable-object').DurableObjectStorageLike }} ctx */
  constructor(ctx) {
    this.#storage = ctx.storage;
  }

  /** @param {Request} request */
  async fetch(request) {
    const [, , , instance, method] = new URL(request.url).pathname.split('/');
    if (instance === 'alarm') return Response.json({ alarm: await this.#storage.getAlarm() });
    if (instance === 'construct') {
      // `method` is the retention to construct a store with, as JSON.
      try {
        new DurableObjectStore(this.#storage, { retainDoneSeconds: JSON.parse(decodeURIComponent(method)) });
        return Response.json({ error: null });
      } catch (error) {
        return Response.json({ error: `${/** @type {Error} */ (error).name}: ${/** @type {Error} */ (error).message}` });
      }
    }
    let store = this.#stores.get(instance);
    if (store === undefined) {
      store = new DurableObjectStore(this.#storage);
      this.#stores.set(instance, store);
    }
    const args = /** @type {unknown[]} */ (await request.json());
    const result = await /** @type {(...a: unknown[]) => Promise<unknown>} */ (/** @type {any} */ (store)[method]).apply(store, args);
    return Response.json({ result: result ?? null });
  }

  // The store sets alarms, which a class may only do with an alarm handler; the contract
  // test keeps its clock in the future, so this never runs.
  async alarm() {}
}

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    const [first, second] = url.pathname.split('/').filter(Boolean);
    const key = url.searchParams.get('key') ?? '';
    const admin = inboxAdmin(url.searchParams.get('inbox') === 'brief' ? env.BRIEF_INBOX : env.FLAKY_INBOX);
    switch (first) {
      case 'probe':
        return env.PROBE.get(env.PROBE.idFromName(second)).fetch(request.url, { method: request.method, body: await request.text() || undefined });
      case 'webhook':
        return acceptWebhook(request, { inbox: env.FLAKY_INBOX, secret: env.SECRET });
      case 'webhook-brief':
        return acceptWebhook(request, { inbox: env.BRIEF_INBOX, secret: env.SECRET });
      case 'webhook-unreachable':
        return acceptWebhook(request, { inbox: env.UNREACHABLE, secret: env.SECRET });
      case 'admin':
        if (second === 'list') {
          const state = /** @type {'failed' | 'dead' | null} */ (url.searchParams.get('state'));
          const page = url.searchParams.has('limit') ? { limit: Number(url.searchParams.get('limit')), offset: Number(url.searchParams.get('offset') ?? 0) } : {};
          return Response.json(await admin.list({ ...(state === null ? {} : { state }), ...page }));
        }
        if (second === 'get') return Response.json(await admin.get(key));
        if (second === 'retry') return Response.json(await admin.retry(key));
        return new Response('not found', { status: 404 });
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
