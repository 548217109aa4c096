// The inbox store kept in this process's memory: for tests, demos and trying the package
// out. A restart forgets every event (retries of processed events run again, and events
// accepted but not yet processed are lost), so production receivers use SqliteStore,
// PostgresStore or a Durable Object.
import { dueAt, isClaimable, toEntry } from './rules.js';

/** @typedef {import('../../types/index.js').InboxStore} InboxStore */
/** @typedef {import('../../types/index.js').InboxEntry} InboxEntry */

/** @implements {InboxStore} */
export class MemoryStore {
  /** @type {Map<string, InboxEntry & { event: string }>} in arrival order */
  #rows = new Map();

  /** @param {{ key: string, type: string, event: string, now: number }} entry */
  async record({ key, type, event, now }) {
    const row = this.#rows.get(key);
    if (row !== undefined) return { created: false, state: row.state, attempts: row.attempts, leaseUntil: row.leaseUntil };
    this.#rows.set(key, { key, type, event, state: 'received', attempts: 0, leaseUntil: null, nextAttemptAt: null, lastError: null, receivedAt: now, updatedAt: now, completedAt: null });
    return { created: true, state: /** @type {const} */ ('received'), attempts: 0, leaseUntil: null };
  }

  /** @param {{ key: string | null, now: number, leaseMs: number }} request */
  async claim({ key, now, leaseMs }) {
    const candidates = key === null ? this.#rows.values() : [this.#rows.get(key)].filter((row) => row !== undefined);
    let row = null;
    for (const candidate of candidates) {
      if (isClaimable(candidate, now) && (row === null || dueAt(candidate) < dueAt(row))) row = candidate;
    }
    if (row === null) return null;
    row.state = 'processing';
    row.attempts += 1;
    row.leaseUntil = now + leaseMs;
    row.updatedAt = now;
    return { key: row.key, event: row.event, attempt: row.attempts };
  }

  /** @param {{ key: string, attempt: number, now: number }} finished */
  async complete({ key, attempt, now }) {
    const row = this.#held(key, attempt);
    if (row === null) return false;
    Object.assign(row, { state: 'done', leaseUntil: null, completedAt: now, updatedAt: now });
    return true;
  }

  /** @param {{ key: string, attempt: number, now: number, leaseMs: number }} running */
  async extend({ key, attempt, now, leaseMs }) {
    const row = this.#held(key, attempt);
    if (row === null) return false;
    Object.assign(row, { leaseUntil: now + leaseMs, updatedAt: now });
    return true;
  }

  /** @param {{ key: string, attempt: number, error: string, now: number, nextAttemptAt: number | null }} failed */
  async fail({ key, attempt, error, now, nextAttemptAt }) {
    const row = this.#held(key, attempt);
    if (row === null) return false;
    Object.assign(row, { state: nextAttemptAt === null ? 'dead' : 'failed', leaseUntil: null, lastError: error, nextAttemptAt, updatedAt: now });
    return true;
  }

  /** @param {string} key */
  async get(key) {
    const row = this.#rows.get(key);
    return row === undefined ? null : toEntry(row);
  }

  /** @param {{ state?: InboxEntry['state'], limit?: number }} [filter] */
  async list({ state, limit = 100 } = {}) {
    const rows = [...this.#rows.values()].filter((row) => state === undefined || row.state === state);
    return rows.slice(-limit).reverse().map(toEntry);
  }

  /**
   * @param {string} key
   * @param {number} now
   */
  async retry(key, now) {
    const row = this.#rows.get(key);
    if (row === undefined || (row.state !== 'failed' && row.state !== 'dead')) return false;
    Object.assign(row, { state: 'received', nextAttemptAt: null, updatedAt: now });
    return true;
  }

  /** @param {number} before done events completed before this time are forgotten */
  async prune(before) {
    let removed = 0;
    for (const [key, row] of this.#rows) {
      if (row.state === 'done' && (row.completedAt ?? 0) < before) {
        this.#rows.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  async close() {}

  /**
   * The row when `attempt` still holds its lease.
   * @param {string} key
   * @param {number} attempt
   */
  #held(key, attempt) {
    const row = this.#rows.get(key);
    return row !== undefined && row.state === 'processing' && row.attempts === attempt ? row : null;
  }
}
