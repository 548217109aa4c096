import { WebhookError } from './errors.js';

/** CasPay retries for about 13 hours (60 s, 5 min, 25 min, 2 h, 10 h); keep keys longer. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 72 * 3600;

/**
 * The in-memory store: right for one process. With several instances, plug in a shared
 * store (Redis `SET key 1 NX EX ttl`, a database unique key, a Workers KV or Durable Object).
 */
export class MemoryStore {
  /** @type {Map<string, number>} key → expiry (ms) */
  #entries = new Map();
  #clock;

  /** @param {{ now?: () => number }} [options] a clock in milliseconds, for tests */
  constructor(options = {}) {
    this.#clock = options.now ?? Date.now;
  }

  /**
   * @param {string} key
   * @param {number} ttlSeconds
   */
  setIfAbsent(key, ttlSeconds) {
    const now = this.#clock();
    const expiry = this.#entries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.#entries.set(key, now + ttlSeconds * 1000);
    if (this.#entries.size % 1024 === 0) this.#sweep(now);
    return true;
  }

  /** @param {string} key */
  delete(key) {
    this.#entries.delete(key);
  }

  /** @param {number} now */
  #sweep(now) {
    for (const [key, expiry] of this.#entries) if (expiry <= now) this.#entries.delete(key);
  }
}

/**
 * Processes each delivery once: `claim` succeeds the first time a key is seen and throws
 * `duplicate_event` for every repeat within the TTL. Call `release` when processing
 * failed, so CasPay's retry is processed.
 * @param {{ ttlSeconds?: number, store?: import('../types/index.js').DedupeStore }} [options]
 */
export function createDeduper(options = {}) {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  const store = options.store ?? new MemoryStore();
  /** @param {string | { idempotencyKey: string }} eventOrKey */
  const keyOf = (eventOrKey) => (typeof eventOrKey === 'string' ? eventOrKey : eventOrKey.idempotencyKey);
  return {
    store,
    ttlSeconds,
    /** @param {string | { idempotencyKey: string }} eventOrKey */
    async claim(eventOrKey) {
      const key = keyOf(eventOrKey);
      if (!(await store.setIfAbsent(key, ttlSeconds))) {
        throw new WebhookError('duplicate_event', `This event was already processed (idempotency key ${key}); answer 200 so CasPay stops retrying.`);
      }
    },
    /** @param {string | { idempotencyKey: string }} eventOrKey */
    async release(eventOrKey) {
      await store.delete(keyOf(eventOrKey));
    },
  };
}
