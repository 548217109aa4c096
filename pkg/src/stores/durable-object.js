// The inbox on Cloudflare Durable Objects: one object per idempotency key, whose
// transactional storage holds the event's state (docs/inbox.md) and whose alarm is the
// worker. Every copy of an event reaches the same object, which handles one request at a
// time, so copies are serialized and the event is recorded, and claimed, once; and a Durable
// Object's alarm survives restarts and is retried by the runtime, so nothing depends on a
// request staying alive (ctx.waitUntil) or on CasPay coming back.
//
// The object drives the package's own Inbox over DurableObjectStore (the InboxStore
// interface on the object's storage) instead of a Durable Object-specific state machine:
// the transitions, fencing and backoff are the ones every other store is tested with, and
// the only thing particular to Durable Objects is when the object wakes up, which the
// store keeps in the alarm, written in the same transaction as each transition.
//
// Workers only: the module loads the package's Workers entry (the WebAssembly module as a
// compiled import), and talks to the object with fetch rather than RPC, so it needs neither
// `cloudflare:workers` nor a recent compatibility date.
import { WebhookError } from '../workerd.js';
import { Inbox, errorAnswer, retentionMs } from '../inbox.js';
import { createReceiver } from '../receiver.js';
import { isClaimable, toEntry } from './rules.js';

/**
 * @typedef {import('../../types/index.js').InboxStore} InboxStore
 * @typedef {import('../../types/index.js').InboxEntry} InboxEntry
 * @typedef {import('../../types/index.js').InboxState} InboxState
 * @typedef {import('../../types/index.js').InboxAnswer} InboxAnswer
 * @typedef {import('../../types/index.js').CasPayEvent} CasPayEvent
 * @typedef {import('../../types/index.js').DeliveryReport} DeliveryReport
 * @typedef {import('../../types/durable-object.js').DurableObjectStorageLike} DurableObjectStorageLike
 * @typedef {import('../../types/durable-object.js').DurableObjectTransactionLike} DurableObjectTransactionLike
 * @typedef {import('../../types/durable-object.js').DurableObjectStateLike} DurableObjectStateLike
 * @typedef {import('../../types/durable-object.js').DurableObjectNamespaceLike} DurableObjectNamespaceLike
 * @typedef {import('../../types/durable-object.js').InboxObjectHandler<any>} InboxObjectHandler
 * @typedef {import('../../types/durable-object.js').InboxObjectOptions} InboxObjectOptions
 * @typedef {import('../../types/durable-object.js').AcceptWebhookOptions} AcceptWebhookOptions
 * @typedef {import('../receiver.js').Receiver} Receiver
 * @typedef {InboxEntry & { event: string, indexed?: string | null, indexRetryAt?: number }} Row
 *   `indexed`: the outcome the index of failed and dead events shows (see indexVersion), or
 *   null when it does not list the event; `indexRetryAt`: when a failed update is retried
 */

/** Storage keys of the inbox's rows, apart from anything else the object keeps. */
const ROW_PREFIX = 'caspay:inbox:';
/** Storage keys of the index object's entries. */
const INDEX_PREFIX = 'caspay:index:';
/** The binding the inbox class is bound to, unless `createInboxObject` is told another. */
export const DEFAULT_INBOX_BINDING = 'CASPAY_INBOX';
/** The object that lists failed and dead events for operators. */
const INDEX_OBJECT = 'caspay-webhooks:index';
/** A failed index update is tried again this soon (the event's own wake-up may be hours). */
const INDEX_RETRY_MS = 10_000;
/** Requests between the Worker and its objects never leave Cloudflare; the host is a label. */
const INTERNAL = 'https://caspay-inbox.internal';

/**
 * The object that owns `key`: one per idempotency key, so every copy meets the same state.
 * @param {DurableObjectNamespaceLike} namespace
 * @param {string} key
 */
function eventObject(namespace, key) {
  return namespace.get(namespace.idFromName(`event:${key}`));
}

/** @param {DurableObjectNamespaceLike} namespace */
function indexObject(namespace) {
  return namespace.get(namespace.idFromName(INDEX_OBJECT));
}

/**
 * What the index of failed and dead events must show for a row after its run's outcome: the
 * outcome itself for a failed or dead event, nothing (null) for a done one; undefined while
 * no outcome is due (received, processing), when the index keeps what it has.
 * @param {Row} row
 * @returns {string | null | undefined}
 */
function indexVersion(row) {
  if (row.state === 'failed' || row.state === 'dead') return `${row.state} ${row.attempts} ${row.updatedAt}`;
  return row.state === 'done' ? null : undefined;
}

/**
 * Whether the index does not show the row's latest outcome yet.
 * @param {Row} row
 */
function indexBehind(row) {
  const version = indexVersion(row);
  return version !== undefined && version !== (row.indexed ?? null);
}

/**
 * When a row needs the object awake: now for a received event, at the end of the lease of
 * a run in progress (a run that died is taken over then), when a failed event's retry is
 * due, when a done event's retention ends (it is then forgotten, and an object with nothing
 * stored costs nothing); never for dead events, which wait for an operator. Where the store
 * keeps an index up to date, also as soon as the index is behind the row's outcome: the
 * alarm that updates it is then already set when the outcome is written, so an object reset
 * in between cannot leave a dead event out of the index, or a done one in it.
 * @param {Row} row
 * @param {number} retainDoneMs
 * @param {boolean} tracksIndex
 * @returns {number | null}
 */
function wakeUpOf(row, retainDoneMs, tracksIndex) {
  const own = ownWakeUp(row, retainDoneMs);
  if (!tracksIndex || !indexBehind(row)) return own;
  const update = Math.max(row.updatedAt, row.indexRetryAt ?? 0);
  return own === null ? update : Math.min(own, update);
}

/**
 * @param {Row} row
 * @param {number} retainDoneMs
 * @returns {number | null}
 */
function ownWakeUp(row, retainDoneMs) {
  switch (row.state) {
    case 'received':
      return row.updatedAt;
    case 'processing':
      return row.leaseUntil;
    case 'failed':
      return row.nextAttemptAt;
    case 'done':
      // One millisecond past the retention: prune forgets what completed strictly before
      // now minus the retention, and an alarm on the very millisecond would keep the event.
      return (row.completedAt ?? row.updatedAt) + retainDoneMs + 1;
    default:
      return null;
  }
}

/**
 * Transactions of one object's storage, one after another: the runtime already holds other
 * requests back while a transaction runs, and this also orders the ones started by a single
 * request (a `Promise.all` of claims).
 * @type {WeakMap<DurableObjectStorageLike, Promise<unknown>>}
 */
const queues = new WeakMap();

/**
 * Makes a store keep its event awake until the index of failed and dead events shows its
 * latest outcome (createInboxObject's stores only).
 * @type {(store: DurableObjectStore) => void}
 */
let trackIndex;

/**
 * The inbox store on a Durable Object's storage. Each transition is one storage
 * transaction that writes the row and moves the object's alarm to its next wake-up, so an
 * event is never recorded without the alarm that will process it. It holds any number of
 * keys, but claiming and scheduling read every row: it is meant for the one event of a
 * per-key object (`createInboxObject`).
 * @implements {InboxStore}
 */
export class DurableObjectStore {
  #storage;
  #retainDoneMs;
  /** Set by createInboxObject, whose alarm keeps the index of failed and dead events. */
  #tracksIndex = false;

  static {
    trackIndex = (store) => {
      store.#tracksIndex = true;
    };
  }

  /**
   * @param {DurableObjectStorageLike} storage the object's `ctx.storage`
   * @param {{ retainDoneSeconds?: number }} [options] how long a done event is kept before
   *   the alarm forgets it (default 90 days, as the Inbox's)
   */
  constructor(storage, { retainDoneSeconds } = {}) {
    this.#storage = storage;
    this.#retainDoneMs = retentionMs('DurableObjectStore', retainDoneSeconds);
  }

  /** @param {{ key: string, type: string, event: string, now: number }} entry */
  record({ key, type, event, now }) {
    return this.#transaction(async (txn) => {
      const row = /** @type {Row | undefined} */ (await txn.get(ROW_PREFIX + key));
      if (row !== undefined) return { created: false, state: row.state, attempts: row.attempts, leaseUntil: row.leaseUntil };
      await txn.put(ROW_PREFIX + key, { key, type, event, state: 'received', attempts: 0, leaseUntil: null, nextAttemptAt: null, lastError: null, receivedAt: now, updatedAt: now, completedAt: null });
      await this.#schedule(txn);
      return { created: true, state: /** @type {const} */ ('received'), attempts: 0, leaseUntil: null };
    });
  }

  /** @param {{ key: string | null, now: number, leaseMs: number }} request */
  claim({ key, now, leaseMs }) {
    return this.#transaction(async (txn) => {
      const candidates = key === null ? oldestFirst(await rows(txn)) : [/** @type {Row | undefined} */ (await txn.get(ROW_PREFIX + key))];
      const row = candidates.find((candidate) => candidate !== undefined && isClaimable(candidate, now));
      if (row === undefined) return null;
      Object.assign(row, { state: 'processing', attempts: row.attempts + 1, leaseUntil: now + leaseMs, updatedAt: now });
      await txn.put(ROW_PREFIX + row.key, row);
      await this.#schedule(txn);
      return { key: row.key, event: row.event, attempt: row.attempts };
    });
  }

  /** @param {{ key: string, attempt: number, now: number }} finished */
  complete({ key, attempt, now }) {
    return this.#finish(key, attempt, { state: 'done', leaseUntil: null, completedAt: now, updatedAt: now });
  }

  /** @param {{ key: string, attempt: number, error: string, now: number, nextAttemptAt: number | null }} failed */
  fail({ key, attempt, error, now, nextAttemptAt }) {
    return this.#finish(key, attempt, { state: nextAttemptAt === null ? 'dead' : 'failed', leaseUntil: null, lastError: error, nextAttemptAt, updatedAt: now });
  }

  /** @param {string} key */
  async get(key) {
    const row = /** @type {Row | undefined} */ (await this.#storage.get(ROW_PREFIX + key));
    return row === undefined ? null : toEntry(row);
  }

  /** @param {{ state?: InboxState, limit?: number }} [filter] */
  async list({ state, limit = 100 } = {}) {
    const all = oldestFirst(await rows(this.#storage)).filter((row) => state === undefined || row.state === state);
    return all.slice(-limit).reverse().map(toEntry);
  }

  /**
   * @param {string} key
   * @param {number} now
   */
  retry(key, now) {
    return this.#transaction(async (txn) => {
      const row = /** @type {Row | undefined} */ (await txn.get(ROW_PREFIX + key));
      if (row === undefined || (row.state !== 'failed' && row.state !== 'dead')) return false;
      await txn.put(ROW_PREFIX + key, { ...row, state: 'received', nextAttemptAt: null, updatedAt: now });
      await this.#schedule(txn);
      return true;
    });
  }

  /** @param {number} before done events completed before this time are forgotten */
  prune(before) {
    return this.#transaction(async (txn) => {
      // A row whose index update is still due stays until it is made.
      const old = [...(await rows(txn))].filter((row) => row.state === 'done' && (row.completedAt ?? 0) < before && !(this.#tracksIndex && indexBehind(row)));
      for (const row of old) await txn.delete(ROW_PREFIX + row.key);
      await this.#schedule(txn);
      return old.length;
    });
  }

  async close() {}

  /**
   * Sets the alarm from the rows again. The runtime clears an alarm whose handler returns
   * without setting one, so a wake-up that found nothing due (an early retry of the index
   * update) must put the event's own wake-up back.
   */
  reschedule() {
    return this.#transaction((txn) => this.#schedule(txn));
  }

  /**
   * Makes the object wake up by `time` at the latest, keeping an earlier alarm.
   * @param {number} time
   */
  wakeBy(time) {
    return this.#transaction(async (txn) => {
      const current = await txn.getAlarm();
      if (current === null || current > time) await txn.setAlarm(time);
    });
  }

  /**
   * The outcomes the index does not show yet: each event's entry, and whether the index
   * lists it (failed, dead) or must forget it (done).
   * @returns {Promise<{ entry: InboxEntry, listed: boolean, version: string | null }[]>}
   */
  async indexUpdates() {
    return (await rows(this.#storage)).filter(indexBehind).map((row) => {
      const version = /** @type {string | null} */ (indexVersion(row));
      return { entry: toEntry(row), listed: version !== null, version };
    });
  }

  /**
   * Records that the index shows `version` of the event (see indexUpdates), and moves the
   * alarm back to the event's own wake-up.
   * @param {string} key
   * @param {string | null} version
   */
  indexUpdated(key, version) {
    return this.#changeIndexState(key, { indexed: version, indexRetryAt: undefined });
  }

  /**
   * Puts off the next try of a failed index update until `time`.
   * @param {string} key
   * @param {number} time
   */
  indexUpdateFailed(key, time) {
    return this.#changeIndexState(key, { indexRetryAt: time });
  }

  /**
   * Writes what the index shows of the event, and reschedules from it.
   * @param {string} key
   * @param {Partial<Row>} changes
   */
  #changeIndexState(key, changes) {
    return this.#transaction(async (txn) => {
      const row = /** @type {Row | undefined} */ (await txn.get(ROW_PREFIX + key));
      if (row === undefined) return;
      await txn.put(ROW_PREFIX + key, { ...row, ...changes });
      await this.#schedule(txn);
    });
  }

  /**
   * Moves the alarm to the earliest wake-up of the rows (see schedule).
   * @param {DurableObjectTransactionLike} txn
   */
  #schedule(txn) {
    return schedule(txn, this.#retainDoneMs, this.#tracksIndex);
  }

  /**
   * Ends the run that holds `attempt`'s lease; a run whose lease was taken over changes
   * nothing (its attempt number is the fencing token).
   * @param {string} key
   * @param {number} attempt
   * @param {Partial<Row>} changes
   */
  #finish(key, attempt, changes) {
    return this.#transaction(async (txn) => {
      const row = /** @type {Row | undefined} */ (await txn.get(ROW_PREFIX + key));
      if (row === undefined || row.state !== 'processing' || row.attempts !== attempt) return false;
      await txn.put(ROW_PREFIX + key, { ...row, ...changes });
      await this.#schedule(txn);
      return true;
    });
  }

  /**
   * @template T
   * @param {(txn: DurableObjectTransactionLike) => Promise<T>} body
   * @returns {Promise<T>}
   */
  #transaction(body) {
    const storage = this.#storage;
    const run = (queues.get(storage) ?? Promise.resolve()).then(() => storage.transaction(body));
    queues.set(storage, run.catch(() => {}));
    return run;
  }
}

/**
 * @param {DurableObjectStorageLike | DurableObjectTransactionLike} storage
 * @returns {Promise<Row[]>}
 */
async function rows(storage) {
  return [.../** @type {Map<string, Row>} */ (await storage.list({ prefix: ROW_PREFIX })).values()];
}

/** @param {Row[]} list */
function oldestFirst(list) {
  return list.sort((a, b) => a.receivedAt - b.receivedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Moves the alarm to the earliest wake-up of the rows, or deletes it when none is due.
 * @param {DurableObjectTransactionLike} txn
 * @param {number} retainDoneMs
 * @param {boolean} tracksIndex
 */
async function schedule(txn, retainDoneMs, tracksIndex) {
  let next = null;
  for (const row of await rows(txn)) {
    const at = wakeUpOf(row, retainDoneMs, tracksIndex);
    if (at !== null && (next === null || at < next)) next = at;
  }
  if (next === null) await txn.deleteAlarm();
  else await txn.setAlarm(next);
}

/**
 * @param {Record<string, unknown>} body
 * @param {number} [status]
 */
const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** @param {InboxAnswer} answer */
const answerResponse = (answer) => new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers } });

/**
 * A Durable Object class that owns one CasPay event per object and runs `handler` for it
 * from its alarm: `export class CasPayInbox extends createInboxObject(handler) {}`, bound as
 * `CASPAY_INBOX` (or `options.binding`). The same class also serves as the index of failed
 * and dead events (one object of it under a reserved name).
 * @param {InboxObjectHandler} handler `(event, { key, attempt }, env)`; runs at least once
 *   per event, until it returns without throwing
 * @param {InboxObjectOptions | ((env: any) => InboxObjectOptions)} [options] or a function
 *   of the Worker's env, for settings kept in bindings
 */
export function createInboxObject(handler, options = {}) {
  if (typeof handler !== 'function') throw new TypeError('createInboxObject(handler): the handler must be a function (event, { key, attempt }, env) => …');
  return class CasPayInboxObject {
    #storage;
    #store;
    #inbox;
    /** @type {DurableObjectNamespaceLike} */
    #namespace;

    /**
     * @param {DurableObjectStateLike} ctx
     * @param {any} env
     */
    constructor(ctx, env) {
      const settings = typeof options === 'function' ? options(env) : options;
      const binding = settings.binding ?? DEFAULT_INBOX_BINDING;
      const namespace = env?.[binding];
      if (typeof namespace?.idFromName !== 'function') {
        throw new TypeError(`createInboxObject: env.${binding} is not this class's Durable Object binding; bind the class as ${binding} in wrangler.toml, or pass { binding: 'NAME' }.`);
      }
      this.#namespace = namespace;
      this.#storage = ctx.storage;
      this.#store = new DurableObjectStore(ctx.storage, { retainDoneSeconds: settings.retainDoneSeconds });
      trackIndex(this.#store);
      this.#inbox = new Inbox({
        store: this.#store,
        handler: (event, context) => handler(event, context, env),
        leaseSeconds: settings.leaseSeconds,
        maxAttempts: settings.maxAttempts,
        backoff: settings.backoff,
        onRun: settings.onRun,
        retainDoneSeconds: settings.retainDoneSeconds,
        // One event per object: runs of different events already happen in parallel objects.
        concurrency: 1,
      });
    }

    /**
     * The object's side of `acceptWebhook` and `inboxAdmin`; only the Worker that binds the
     * class can reach it.
     * @param {Request} request
     */
    async fetch(request) {
      const url = new URL(request.url);
      const key = url.searchParams.get('key') ?? '';
      switch (`${request.method} ${url.pathname}`) {
        case 'POST /event':
          // Answered once recorded: the runtime holds the response back until the write
          // (row and alarm) is durable.
          return answerResponse(await this.#inbox.accept(/** @type {CasPayEvent} */ (await request.json())));
        case 'GET /entry': {
          const entry = await this.#store.get(key);
          return entry === null ? json({ error: 'not_found' }, 404) : json({ entry });
        }
        case 'POST /retry':
          // The event is due at once; the alarm updates the index after its run.
          return json({ retried: await this.#inbox.retry(key) });
        case 'PUT /index':
          return this.#indexPut(/** @type {InboxEntry} */ (await request.json()));
        case 'DELETE /index':
          await this.#storage.delete(INDEX_PREFIX + key);
          return json({ deleted: true });
        case 'GET /index':
          return this.#indexList(url.searchParams);
        default:
          return json({ error: 'not_found' }, 404);
      }
    }

    /**
     * The worker: runs the event when it is due (new, retry due, or the lease of a run that
     * died expired), forgets it once done past its retention, then brings the index up to
     * date. A run's outcome is written before this returns, with an alarm that stays due
     * until the index shows it; and the runtime retries an alarm whose handler threw.
     */
    async alarm() {
      await this.#inbox.processDue();
      // Also sets the alarm from the rows again: the runtime clears an alarm whose handler
      // returns without setting one, which a wake-up that found nothing due would do.
      await this.#inbox.prune();
      await this.#updateIndex();
    }

    /** Lists this object's event in the index while it is failed or dead, and only then. */
    async #updateIndex() {
      for (const { entry, listed, version } of await this.#store.indexUpdates()) {
        const index = indexObject(this.#namespace);
        try {
          if (listed) await expectOk(index.fetch(`${INTERNAL}/index`, { method: 'PUT', body: JSON.stringify(entry) }));
          else await expectOk(index.fetch(`${INTERNAL}/index?key=${encodeURIComponent(entry.key)}`, { method: 'DELETE' }));
        } catch (error) {
          console.error('caspay-webhooks inbox: the index of failed events could not be updated; trying again', error);
          await this.#store.indexUpdateFailed(entry.key, Date.now() + INDEX_RETRY_MS);
          continue;
        }
        await this.#store.indexUpdated(entry.key, version);
      }
    }

    /** @param {InboxEntry} entry */
    async #indexPut(entry) {
      await this.#storage.put(INDEX_PREFIX + entry.key, entry);
      return json({ stored: true });
    }

    /** @param {URLSearchParams} params */
    async #indexList(params) {
      const state = params.get('state');
      const limit = Number(params.get('limit') ?? 100);
      const offset = Number(params.get('offset') ?? 0);
      const all = /** @type {Map<string, InboxEntry>} */ (await this.#storage.list({ prefix: INDEX_PREFIX }));
      const entries = [...all.values()]
        .filter((entry) => state === null || entry.state === state)
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .slice(offset, offset + limit);
      return json({ entries });
    }
  };
}

/** @param {Promise<Response>} pending */
async function expectOk(pending) {
  const response = await pending;
  if (!response.ok) throw new Error(`the index object answered ${response.status}`);
}

/**
 * The inbox as the Worker sees it: `accept(event)` hands a verified event to the object of
 * its idempotency key and answers what the object answered: 200 once the event is recorded
 * there (new or a copy), 503 `store_unavailable` when the object could not be reached
 * (nothing is known to be recorded: CasPay sends it again, and a copy of an event the
 * object did record is then answered as a duplicate). Give it to `createReceiver` as its
 * `inbox`.
 * @param {DurableObjectNamespaceLike} namespace the binding of the class made by `createInboxObject`
 * @returns {{ accept(event: CasPayEvent): Promise<InboxAnswer> }}
 */
export function durableObjectInbox(namespace) {
  return {
    async accept(event) {
      try {
        const response = await eventObject(namespace, event.idempotencyKey).fetch(`${INTERNAL}/event`, { method: 'POST', body: JSON.stringify(event) });
        return { status: response.status, body: await response.json(), headers: {} };
      } catch (cause) {
        console.error('caspay-webhooks: the inbox object could not be reached', cause);
        return errorAnswer(new WebhookError('store_unavailable', 'The event could not be recorded, so it was not accepted; send it again.', { cause }));
      }
    },
  };
}

/**
 * Receivers built per isolate, by binding, configuration and log function, so the keyed
 * HMAC state is computed once and not on every request.
 * @type {WeakMap<DurableObjectNamespaceLike, Map<string, Map<unknown, Receiver>>>}
 */
const receivers = new WeakMap();
/**
 * Log functions remembered per configuration: a Worker that passes a new closure on every
 * request gets a new receiver each time, and must not grow the isolate's memory with them.
 */
const LOG_FUNCTIONS_KEPT = 8;

/**
 * The Worker's side of a CasPay endpoint on Durable Objects, in one call: the package's
 * receiver (raw body with a limit, verification, stable codes) over `durableObjectInbox`.
 * 401/400/413 come before anything is recorded.
 * @param {Request} request
 * @param {AcceptWebhookOptions} options
 * @returns {Promise<Response>}
 */
export function acceptWebhook(request, options) {
  // An unset secret (a binding not configured) gets the receiver's invalid_secret error.
  const given = options.secret ?? [];
  const secrets = typeof given === 'string' ? [given] : [...given];
  const config = JSON.stringify([secrets, options.maxPayloadBytes ?? null, options.toleranceSeconds ?? null]);
  const byConfig = receivers.get(options.inbox) ?? new Map();
  receivers.set(options.inbox, byConfig);
  const byReport = byConfig.get(config) ?? new Map();
  byConfig.set(config, byReport);
  let receiver = byReport.get(options.onDelivery);
  if (receiver === undefined) {
    receiver = createReceiver({
      secrets,
      inbox: durableObjectInbox(options.inbox),
      maxPayloadBytes: options.maxPayloadBytes,
      toleranceSeconds: options.toleranceSeconds,
      onDelivery: options.onDelivery,
    });
    if (byReport.size >= LOG_FUNCTIONS_KEPT) byReport.delete(byReport.keys().next().value);
    byReport.set(options.onDelivery, receiver);
  }
  return receiver.fetch(request);
}

/**
 * An operator's view of the inbox from the Worker: the failed and dead events (from the
 * index), one event's state by key, and "process again" for a failed or dead event.
 * @param {DurableObjectNamespaceLike} namespace the inbox class's binding
 */
export function inboxAdmin(namespace) {
  return {
    /**
     * The most recently changed first; `offset` skips that many, for the next page.
     * @param {{ state?: 'failed' | 'dead', limit?: number, offset?: number }} [filter]
     * @returns {Promise<InboxEntry[]>}
     */
    async list({ state, limit = 100, offset = 0 } = {}) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset), ...(state === undefined ? {} : { state }) });
      const response = await indexObject(namespace).fetch(`${INTERNAL}/index?${query}`);
      return /** @type {{ entries: InboxEntry[] }} */ (await response.json()).entries;
    },
    /**
     * @param {string} key
     * @returns {Promise<InboxEntry | null>}
     */
    async get(key) {
      const response = await eventObject(namespace, key).fetch(`${INTERNAL}/entry?key=${encodeURIComponent(key)}`);
      if (response.status === 404) return null;
      return /** @type {{ entry: InboxEntry }} */ (await response.json()).entry;
    },
    /**
     * @param {string} key
     * @returns {Promise<boolean>}
     */
    async retry(key) {
      const response = await eventObject(namespace, key).fetch(`${INTERNAL}/retry?key=${encodeURIComponent(key)}`, { method: 'POST' });
      return /** @type {{ retried: boolean }} */ (await response.json()).retried;
    },
  };
}
