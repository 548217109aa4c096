// The inbox: the one way a verified event is accepted. It follows the state machine of the
// repository's docs/inbox.md (received → processing → done, or failed with a backoff, then
// dead), on any store that implements the InboxStore interface (memory, SQLite, PostgreSQL,
// a Durable Object): record durably, answer, then process until a run succeeds.
import { WebhookError } from './errors.js';

/** How long a run's lease lasts: how soon the run of a process that died is taken over
 *  (a running handler's lease is extended, see `#renewLease`). */
export const DEFAULT_LEASE_SECONDS = 60;
/** A running event's lease is extended this often per lease, so one late renewal is not fatal. */
const RENEWALS_PER_LEASE = 3;
/** How many leases a run may keep by renewal before it counts as hung (10 minutes by default). */
const MAX_RENEWED_LEASES = 10;
/**
 * Runs before an event is `dead` and waits for an operator: with the default backoff the
 * last is about a day after the first, so a failing dependency has a day to come back (past
 * CasPay's own retries, which end after 12.5 hours) before anyone must step in.
 */
export const DEFAULT_MAX_ATTEMPTS = 32;
/**
 * How long a done event is remembered, so that copies of it are answered as duplicates:
 * CasPay's own retries end within a day, and 90 days is what the WordPress plugin keeps.
 */
export const DEFAULT_RETAIN_DONE_SECONDS = 90 * 86_400;

/**
 * `retainDoneSeconds` in milliseconds, checked: the inbox and a store that forgets done events
 * on its own (a Durable Object's alarm) must agree on it, and a wrong one forgets too early.
 * @param {string} owner who was given it, for the message
 * @param {number | null} [seconds] (90 days when not given)
 */
export function retentionMs(owner, seconds) {
  seconds ??= DEFAULT_RETAIN_DONE_SECONDS;
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new TypeError(`${owner}: retainDoneSeconds must be a positive number of seconds (a done event is recognized for that long).`);
  }
  return 1000 * seconds;
}

/** An inbox forgets done events past their retention at most this often. */
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * 10 s × 2^(attempts − 1), at most an hour: a failing handler is retried quickly at first,
 * without hammering what it depends on.
 * @param {number} attempts runs so far (≥ 1)
 * @returns {number} milliseconds
 */
export function defaultBackoff(attempts) {
  return Math.min(10_000 * 2 ** (attempts - 1), 3_600_000);
}

/**
 * @typedef {import('../types/index.js').InboxStore} InboxStore
 * @typedef {import('../types/index.js').InboxEntry} InboxEntry
 * @typedef {import('../types/index.js').Claim} Claim
 * @typedef {import('../types/index.js').RunContext} RunContext
 * @typedef {import('../types/index.js').RunReport} RunReport
 * @typedef {import('../types/index.js').InboxAnswer} InboxAnswer
 * @typedef {import('../types/index.js').CasPayEvent} CasPayEvent
 */

export class Inbox {
  #store;
  #handler;
  #leaseMs;
  #maxAttempts;
  #backoff;
  #clock;
  #onRun;
  #concurrency;
  #pollMs;
  #retainDoneMs;
  /** When the inbox next forgets done events past their retention. */
  #pruneAt = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #timer = null;
  #draining = false;
  /** Set when an event arrives while the loop is draining, so it drains once more. */
  #wakeAgain = false;
  #started = false;
  /** @type {Set<Promise<void>>} */
  #inFlight = new Set();

  /**
   * @param {{
   *   store: InboxStore,
   *   handler: (event: CasPayEvent, context: RunContext) => unknown,
   *   leaseSeconds?: number,
   *   maxAttempts?: number,
   *   backoff?: (attempts: number) => number,
   *   now?: () => number,
   *   onRun?: (report: RunReport) => void,
   *   concurrency?: number,
   *   pollIntervalMs?: number,
   *   retainDoneSeconds?: number,
   * }} options
   */
  constructor(options) {
    if (!options || typeof options.store !== 'object' || options.store === null) throw new TypeError('Inbox: give a store (see docs: SqliteStore, PostgresStore, MemoryStore).');
    if (typeof options.handler !== 'function') throw new TypeError('Inbox: give a handler function.');
    this.#retainDoneMs = retentionMs('Inbox', options.retainDoneSeconds);
    this.#store = options.store;
    this.#handler = options.handler;
    // Times reach the stores in whole milliseconds: PostgreSQL keeps them in bigint columns,
    // which refuse a fraction (a jittered backoff, a clock of performance.now()).
    this.#leaseMs = Math.round(1000 * (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS));
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const backoff = options.backoff ?? defaultBackoff;
    // A delay that is no number of milliseconds (NaN, Infinity, negative) gets the default's:
    // at once would spend every attempt in a moment, never would strand the event.
    this.#backoff = (/** @type {number} */ attempts) => {
      const delay = backoff(attempts);
      return Number.isFinite(delay) && delay >= 0 ? Math.ceil(delay) : defaultBackoff(attempts);
    };
    const clock = options.now ?? Date.now;
    this.#clock = () => Math.floor(clock());
    this.#onRun = options.onRun ?? (() => {});
    this.#concurrency = options.concurrency ?? 4;
    this.#pollMs = options.pollIntervalMs ?? 1000;
  }

  /** The store, for operators' tools (list failed events, retry them). */
  get store() {
    return this.#store;
  }

  /**
   * Records a verified event, then answers as docs/inbox.md says for a receiver whose worker
   * (see `start`) processes events: 200 once recorded, 503 when the store failed.
   * @param {CasPayEvent} event
   * @returns {Promise<InboxAnswer>}
   */
  async accept(event) {
    const recorded = await this.#record(event);
    if (recorded instanceof WebhookError) return errorAnswer(recorded);
    if (this.#started) this.#wake();
    return recorded.created ? answer(200, { received: true }) : answer(200, { duplicate: true });
  }

  /**
   * Records a verified event and processes it inside this call, for receivers without a
   * long-lived worker (serverless functions): 200 once a run succeeded, 500 when it failed
   * (the sender's retry is the next attempt), 409 while another run holds the lease or
   * while a failed event's next attempt is not due yet.
   * @param {CasPayEvent} event
   * @returns {Promise<InboxAnswer>}
   */
  async acceptAndProcess(event) {
    const processed = await this.#acceptAndProcess(event);
    await this.#pruneWhenDue();
    return processed;
  }

  /**
   * @param {CasPayEvent} event
   * @returns {Promise<InboxAnswer>}
   */
  async #acceptAndProcess(event) {
    const recorded = await this.#record(event);
    if (recorded instanceof WebhookError) return errorAnswer(recorded);
    const key = event.idempotencyKey;
    if (!recorded.created && recorded.state === 'done') return answer(200, { duplicate: true });
    if (!recorded.created && recorded.state === 'dead') return answer(200, { duplicate: true, state: 'dead' });
    let claim;
    try {
      claim = await this.#store.claim({ key, now: this.#clock(), leaseMs: this.#leaseMs });
    } catch (error) {
      return errorAnswer(storeUnavailable(error));
    }
    if (claim === null) {
      let entry;
      try {
        entry = await this.#store.get(key);
      } catch (error) {
        return errorAnswer(storeUnavailable(error));
      }
      if (entry === null || entry.state === 'done') return answer(200, { duplicate: true });
      if (entry.state === 'dead') return answer(200, { duplicate: true, state: 'dead' });
      if (entry.state === 'failed') {
        const due = Math.max(1, Math.ceil(((entry.nextAttemptAt ?? this.#clock()) - this.#clock()) / 1000));
        return errorAnswer(new WebhookError('retry_scheduled', `This event failed recently (attempt ${entry.attempts}); its next attempt is due in ${due} seconds: send it again then.`), { 'retry-after': String(due) });
      }
      const wait = Math.max(1, Math.ceil(((entry.leaseUntil ?? this.#clock()) - this.#clock()) / 1000));
      return errorAnswer(new WebhookError('processing_in_progress', `This event is being processed now (lease for ${wait} more seconds); send it again later.`), { 'retry-after': String(wait) });
    }
    let outcome;
    try {
      outcome = await this.#run(claim);
    } catch (error) {
      // The run's outcome could not be written; its lease expires and it runs again.
      return errorAnswer(storeUnavailable(error));
    }
    if (outcome.ok) return answer(200, { received: true });
    return errorAnswer(new WebhookError('processing_failed', `The event is recorded but its handler failed (attempt ${claim.attempt}); it is processed again when the delivery is retried.`));
  }

  /**
   * Processes every event that is due now (received, retry due, lease expired), up to the
   * concurrency limit at a time; resolves when none is left. The worker loop calls it, and
   * so can a cron job in environments without one.
   * @returns {Promise<number>} how many runs were made
   */
  processDue() {
    return this.#processDue(() => false);
  }

  /**
   * @param {() => boolean} stopped whether to claim nothing more (the worker loop's stop)
   * @returns {Promise<number>}
   */
  async #processDue(stopped) {
    let runs = 0;
    /** @type {Set<Promise<void>>} */
    const active = new Set();
    // The store's first failure (a claim, or a run's outcome that could not be written):
    // nothing more is claimed, and it is thrown once every run in progress has finished, so
    // that none is left running unawaited and no failure goes unhandled.
    /** @type {{ error: unknown } | null} */
    let failure = null;
    let exhausted = false;
    const claiming = () => !exhausted && failure === null && !stopped();
    while (claiming() || active.size > 0) {
      while (claiming() && active.size < this.#concurrency) {
        let claim;
        try {
          claim = await this.#store.claim({ key: null, now: this.#clock(), leaseMs: this.#leaseMs });
        } catch (error) {
          failure = { error };
          break;
        }
        if (claim === null) {
          exhausted = true;
          break;
        }
        runs += 1;
        const run = this.#runWithinLimit(claim).then(
          () => { active.delete(run); },
          (error) => {
            // Its lease expires and the event runs again.
            active.delete(run);
            failure ??= { error };
          },
        );
        active.add(run);
      }
      if (active.size > 0) await Promise.race(active);
    }
    if (failure !== null) throw failure.error;
    return runs;
  }

  /**
   * Starts the worker loop: every new event wakes it, and it polls for retries that fall
   * due and for leases left behind by a crashed process. Call once per process.
   */
  start() {
    if (this.#started) return this;
    this.#started = true;
    this.#wake();
    return this;
  }

  /**
   * Stops the loop and waits for its runs in progress (a hung one until it counts as hung),
   * claiming no new one (call on SIGTERM before exiting). A `processDue()` called by other
   * code is that code's to await.
   */
  async stop() {
    this.#started = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Moves a failed or dead event back to received (an operator's "process again").
   * @param {string} key
   */
  async retry(key) {
    const moved = await this.#store.retry(key, this.#clock());
    if (moved && this.#started) this.#wake();
    return moved;
  }

  /**
   * Forgets done events completed more than `retainDoneSeconds` ago; returns how many. The
   * inbox does this itself, at most hourly, where it processes events (in the request, or
   * in its worker loop); a Durable Object inbox does it from its alarm.
   */
  prune() {
    return this.#store.prune(this.#clock() - this.#retainDoneMs);
  }

  /** @param {CasPayEvent} event */
  async #record(event) {
    try {
      return await this.#store.record({ key: event.idempotencyKey, type: String(event.type), event: JSON.stringify(event), now: this.#clock() });
    } catch (error) {
      return storeUnavailable(error);
    }
  }

  /** Without it a store keeps every done event forever; a failure only delays it. */
  async #pruneWhenDue() {
    const now = this.#clock();
    if (now < this.#pruneAt) return;
    this.#pruneAt = now + PRUNE_INTERVAL_MS;
    try {
      await this.prune();
    } catch (error) {
      console.error('caspay-webhooks inbox: done events past their retention could not be forgotten; trying again in an hour', error);
    }
  }

  #wake() {
    if (!this.#started) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#draining) {
      this.#wakeAgain = true;
      return;
    }
    this.#draining = true;
    const drain = (async () => {
      try {
        do {
          this.#wakeAgain = false;
          await this.#processDue(() => !this.#started);
        } while (this.#wakeAgain && this.#started);
        await this.#pruneWhenDue();
      } catch (error) {
        console.error('caspay-webhooks inbox: the store failed while taking work; retrying', error);
      } finally {
        this.#draining = false;
        if (this.#started) this.#timer = setTimeout(() => this.#wake(), this.#pollMs);
      }
    })();
    this.#inFlight.add(drain);
    drain.finally(() => this.#inFlight.delete(drain));
  }

  /**
   * One run: the handler, then complete or fail under the run's own lease.
   * @param {Claim} claim
   * @returns {Promise<{ ok: boolean }>}
   */
  async #run(claim) {
    /** @type {CasPayEvent} */
    const event = JSON.parse(claim.event);
    const started = this.#clock();
    const stopRenewing = this.#renewLease(claim);
    try {
      await this.#handler(event, { key: claim.key, attempt: claim.attempt });
    } catch (error) {
      stopRenewing();
      const dead = claim.attempt >= this.#maxAttempts;
      const now = this.#clock();
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.#store.fail({ key: claim.key, attempt: claim.attempt, error: message, now, nextAttemptAt: dead ? null : now + this.#backoff(claim.attempt) });
      this.#report({ event, key: claim.key, attempt: claim.attempt, outcome: dead ? 'dead' : 'failed', error, ms: now - started });
      return { ok: false };
    }
    stopRenewing();
    const now = this.#clock();
    const completed = await this.#store.complete({ key: claim.key, attempt: claim.attempt, now });
    this.#report({ event, key: claim.key, attempt: claim.attempt, outcome: completed ? 'done' : 'lease_lost', ms: now - started });
    return { ok: completed };
  }

  /**
   * The run, given up on when it outlasts the leases it may renew: a handler that never
   * returns (a request with no timeout) must not hold a worker's slot for good. Its lease
   * then ends, another run takes the event over, and whatever this one does later is
   * fenced by its attempt number.
   * @param {Claim} claim
   * @returns {Promise<unknown>}
   */
  #runWithinLimit(claim) {
    const run = this.#run(claim);
    // Settled after the limit, a failure here is nobody's to handle: the next run reports its own.
    run.catch(() => {});
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const limitMs = (MAX_RENEWED_LEASES + 1) * this.#leaseMs;
    const limit = new Promise((resolve) => {
      timer = setTimeout(() => {
        console.error(`caspay-webhooks inbox: the handler of ${claim.key} (attempt ${claim.attempt}) has run for ${limitMs / 1000} s: it counts as hung, and the event is run again once its lease ends`);
        resolve(undefined);
      }, limitMs);
    });
    return Promise.race([run, limit]).finally(() => clearTimeout(timer));
  }

  /**
   * Extends the lease of a run while its handler runs, where the store can (`extend`): a
   * lease then only has to outlast a process that died, not the slowest handler, which
   * another worker or copy would otherwise run a second time, and again each lease after.
   * A run still going after MAX_RENEWED_LEASES leases is let go, as hung.
   * @param {Claim} claim
   * @returns {() => void} stops the renewals
   */
  #renewLease(claim) {
    const store = this.#store;
    if (typeof store.extend !== 'function') return () => {};
    const extend = store.extend.bind(store);
    let renewals = MAX_RENEWED_LEASES * RENEWALS_PER_LEASE;
    const timer = setInterval(() => {
      if (--renewals < 0) {
        clearInterval(timer);
        return;
      }
      extend({ key: claim.key, attempt: claim.attempt, now: this.#clock(), leaseMs: this.#leaseMs }).then(
        (held) => {
          if (!held) clearInterval(timer);
        },
        (error) => console.error('caspay-webhooks inbox: a running event\'s lease could not be extended; trying again', error),
      );
    }, Math.max(1, Math.floor(this.#leaseMs / RENEWALS_PER_LEASE)));
    // A timer must not keep a process alive by itself (Node); workerd's has no unref.
    /** @type {{ unref?: () => void }} */ (/** @type {unknown} */ (timer)).unref?.();
    return () => clearInterval(timer);
  }

  /** @param {RunReport} report */
  #report(report) {
    try {
      this.#onRun(report);
    } catch (error) {
      console.error('caspay-webhooks inbox: onRun threw', error);
    }
  }
}

/**
 * @param {number} status
 * @param {Record<string, unknown>} body
 * @param {Record<string, string>} [headers]
 * @returns {InboxAnswer}
 */
function answer(status, body, headers = {}) {
  return { status, body, headers };
}

/**
 * @param {WebhookError} error
 * @param {Record<string, string>} [headers]
 * @returns {InboxAnswer}
 */
export function errorAnswer(error, headers = {}) {
  return answer(error.httpStatus, { error: error.code, message: error.message }, headers);
}

/** @param {unknown} cause */
function storeUnavailable(cause) {
  console.error('caspay-webhooks inbox: the store could not record the event', cause);
  return new WebhookError('store_unavailable', 'The event could not be recorded, so it was not accepted; send it again.', { cause });
}
