// The inbox on PostgreSQL (`pg`), for receivers on several processes or machines sharing
// one database: a unique key decides which copy of an event records it, and
// `FOR UPDATE SKIP LOCKED` lets every worker take a different due event without waiting.
// Every transition is one statement. Times are the receivers' clocks in milliseconds; keep
// them in sync (NTP), as the leases compare them.
// pg is an optional peer dependency.
import pg from 'pg';

/** @typedef {import('../../types/index.js').InboxStore} InboxStore */
/** @typedef {import('../../types/index.js').InboxEntry} InboxEntry */
/** @typedef {{ query: (text: string, values?: unknown[]) => Promise<{ rows: any[], rowCount: number | null }>, end?: () => Promise<void> }} Queryable */

/** An arbitrary constant: serializes concurrent first starts creating the table. */
const SCHEMA_LOCK = 0x63617370;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS caspay_inbox (
  key text PRIMARY KEY,
  type text NOT NULL,
  event text NOT NULL,
  state text NOT NULL CHECK (state IN ('received', 'processing', 'done', 'failed', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  lease_until bigint,
  next_attempt_at bigint,
  last_error text,
  received_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  completed_at bigint,
  due_at bigint
);
CREATE INDEX IF NOT EXISTS caspay_inbox_due ON caspay_inbox (due_at) WHERE due_at IS NOT NULL;
-- The inbox forgets done events past their retention every hour: a range of this index.
CREATE INDEX IF NOT EXISTS caspay_inbox_done ON caspay_inbox (completed_at) WHERE state = 'done';
`;

// The claim rule of docs/inbox.md (received; failed and its retry due; processing under an
// expired lease) kept in one indexed column: when the event may next be taken, or NULL
// when never (done, dead). So taking work is an index lookup, not a scan. $1 is now.
const CLAIMABLE = 'due_at <= $1';

// bigint columns come back as strings from pg; milliseconds fit a double exactly.
const COLUMNS = `key, type, state, attempts, lease_until::float8 AS "leaseUntil",
  next_attempt_at::float8 AS "nextAttemptAt", last_error AS "lastError", received_at::float8 AS "receivedAt",
  updated_at::float8 AS "updatedAt", completed_at::float8 AS "completedAt"`;

/** @implements {InboxStore} */
export class PostgresStore {
  /** @type {Queryable} */
  #pool;
  #ownsPool;
  /** The table's creation, once it has started; null again after it failed. @type {Promise<void> | null} */
  #ready = null;

  /**
   * @param {string | Queryable} connectionOrPool a connection string, or a `pg.Pool` (or
   *   anything with its `query`), which the store then uses without closing it
   */
  constructor(connectionOrPool) {
    if (typeof connectionOrPool === 'string') {
      // CasPay gives up on a delivery after 10 s: a database that does not answer must be
      // reported (503 store_unavailable) before that, not waited for. Every query here is a
      // single short statement.
      const pool = new pg.Pool({
        connectionString: connectionOrPool,
        max: 10,
        connectionTimeoutMillis: 3000,
        statement_timeout: 5000,
        query_timeout: 6000,
      });
      // An idle connection the server drops (a restart, a failover, an administrator) is
      // reported on the pool, and with no listener Node treats that as an uncaught error:
      // the merchant's process would exit. The pool has already discarded the connection;
      // the next query opens a new one, or fails and is answered store_unavailable.
      pool.on('error', () => {});
      this.#pool = pool;
      this.#ownsPool = true;
    } else {
      this.#pool = connectionOrPool;
      this.#ownsPool = false;
    }
    // Surfaced by the first call instead; a rejected promise must not crash the process.
    this.#schema().catch(() => {});
  }

  /**
   * Creates the table once. A failure (the database down or not there yet when the process
   * starts) is not kept: the next call tries again, so the store recovers with the database
   * instead of answering store_unavailable until the process restarts.
   */
  #schema() {
    this.#ready ??= this.#pool
      .query(`DO $$ BEGIN PERFORM pg_advisory_xact_lock(${SCHEMA_LOCK}); END $$; ${SCHEMA}`)
      .then(
        () => {},
        (error) => {
          this.#ready = null;
          throw error;
        },
      );
    return this.#ready;
  }

  /**
   * @param {string} text
   * @param {unknown[]} values
   */
  async #query(text, values) {
    await this.#schema();
    return this.#pool.query(text, values);
  }

  /** @param {{ key: string, type: string, event: string, now: number }} entry */
  async record({ key, type, event, now }) {
    const inserted = await this.#query(
      `INSERT INTO caspay_inbox (key, type, event, state, received_at, updated_at, due_at) VALUES ($1, $2, $3, 'received', $4, $4, $4)
       ON CONFLICT (key) DO NOTHING`,
      [key, type, event, now],
    );
    if (inserted.rowCount === 1) return { created: true, state: /** @type {const} */ ('received'), attempts: 0, leaseUntil: null };
    const { rows } = await this.#query('SELECT state, attempts, lease_until::float8 AS "leaseUntil" FROM caspay_inbox WHERE key = $1', [key]);
    return { created: false, ...rows[0] };
  }

  /** @param {{ key: string | null, now: number, leaseMs: number }} request */
  async claim({ key, now, leaseMs }) {
    const target = key === null
      ? `(SELECT key FROM caspay_inbox WHERE ${CLAIMABLE} ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)`
      : `$3`;
    const values = key === null ? [now, now + leaseMs] : [now, now + leaseMs, key];
    const { rows } = await this.#query(
      `UPDATE caspay_inbox SET state = 'processing', attempts = attempts + 1, lease_until = $2, due_at = $2, updated_at = $1
       WHERE key = ${target} AND ${CLAIMABLE} RETURNING key, event, attempts AS attempt`,
      values,
    );
    return rows[0] ?? null;
  }

  /** @param {{ key: string, attempt: number, now: number }} finished */
  async complete({ key, attempt, now }) {
    const { rowCount } = await this.#query(
      `UPDATE caspay_inbox SET state = 'done', lease_until = NULL, due_at = NULL, completed_at = $3, updated_at = $3
       WHERE key = $1 AND state = 'processing' AND attempts = $2`,
      [key, attempt, now],
    );
    return rowCount === 1;
  }

  /** @param {{ key: string, attempt: number, now: number, leaseMs: number }} running */
  async extend({ key, attempt, now, leaseMs }) {
    const { rowCount } = await this.#query(
      `UPDATE caspay_inbox SET lease_until = $3, due_at = $3, updated_at = $4
       WHERE key = $1 AND state = 'processing' AND attempts = $2`,
      [key, attempt, now + leaseMs, now],
    );
    return rowCount === 1;
  }

  /** @param {{ key: string, attempt: number, error: string, now: number, nextAttemptAt: number | null }} failed */
  async fail({ key, attempt, error, now, nextAttemptAt }) {
    const { rowCount } = await this.#query(
      `UPDATE caspay_inbox SET state = $3, lease_until = NULL, last_error = $4, next_attempt_at = $5, due_at = $5, updated_at = $6
       WHERE key = $1 AND state = 'processing' AND attempts = $2`,
      [key, attempt, nextAttemptAt === null ? 'dead' : 'failed', error, nextAttemptAt, now],
    );
    return rowCount === 1;
  }

  /** @param {string} key */
  async get(key) {
    const { rows } = await this.#query(`SELECT ${COLUMNS} FROM caspay_inbox WHERE key = $1`, [key]);
    return /** @type {InboxEntry | undefined} */ (rows[0]) ?? null;
  }

  /** @param {{ state?: InboxEntry['state'], limit?: number }} [filter] */
  async list({ state, limit = 100 } = {}) {
    const { rows } = state === undefined
      ? await this.#query(`SELECT ${COLUMNS} FROM caspay_inbox ORDER BY received_at DESC LIMIT $1`, [limit])
      : await this.#query(`SELECT ${COLUMNS} FROM caspay_inbox WHERE state = $1 ORDER BY received_at DESC LIMIT $2`, [state, limit]);
    return /** @type {InboxEntry[]} */ (rows);
  }

  /**
   * @param {string} key
   * @param {number} now
   */
  async retry(key, now) {
    const { rowCount } = await this.#query(
      `UPDATE caspay_inbox SET state = 'received', next_attempt_at = NULL, due_at = $2, updated_at = $2 WHERE key = $1 AND state IN ('failed', 'dead')`,
      [key, now],
    );
    return rowCount === 1;
  }

  /** @param {number} before done events completed before this time are forgotten */
  async prune(before) {
    const { rowCount } = await this.#query(`DELETE FROM caspay_inbox WHERE state = 'done' AND completed_at < $1`, [before]);
    return rowCount ?? 0;
  }

  async close() {
    if (this.#ownsPool) await this.#pool.end?.();
  }
}
