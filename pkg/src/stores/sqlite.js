// The inbox on SQLite (better-sqlite3), for a receiver that runs as one process: the file
// survives restarts and crashes. Recording an event is synced to disk before the 200 goes
// out (WAL with synchronous=FULL: it survives a power loss too); the other transitions use
// synchronous=NORMAL, which survives a process crash, and whose loss in a power cut only
// repeats a run (handlers run at least once anyway) — a third of the fsyncs per event.
// Every transition is one statement, so it is atomic even if several processes share the
// file. For receivers on several machines, use PostgresStore.
// better-sqlite3 is an optional peer dependency: 12.x on Node 20, 13.x needs Node 22.
import Database from 'better-sqlite3';

/** @typedef {import('../../types/index.js').InboxStore} InboxStore */
/** @typedef {import('../../types/index.js').InboxEntry} InboxEntry */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS caspay_inbox (
  key TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  event TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('received', 'processing', 'done', 'failed', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  next_attempt_at INTEGER,
  last_error TEXT,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  due_at INTEGER
);
CREATE INDEX IF NOT EXISTS caspay_inbox_due ON caspay_inbox (due_at) WHERE due_at IS NOT NULL;
-- The inbox forgets done events past their retention every hour: a range of this index.
CREATE INDEX IF NOT EXISTS caspay_inbox_done ON caspay_inbox (completed_at) WHERE state = 'done';
`;

// The claim rule of docs/inbox.md (received; failed and its retry due; processing under an
// expired lease) kept in one indexed column: when the event may next be taken, or NULL
// when never (done, dead). So taking work is an index lookup, not a scan of every event.
const CLAIMABLE = 'due_at <= @now';

const COLUMNS = `key, type, state, attempts, lease_until AS leaseUntil, next_attempt_at AS nextAttemptAt,
  last_error AS lastError, received_at AS receivedAt, updated_at AS updatedAt, completed_at AS completedAt`;

/** @implements {InboxStore} */
export class SqliteStore {
  #db;
  #statements;

  /**
   * @param {string | import('better-sqlite3').Database} fileOrDatabase a file path, or an
   *   open better-sqlite3 database (the tables are created in it)
   */
  constructor(fileOrDatabase) {
    this.#db = typeof fileOrDatabase === 'string' ? new Database(fileOrDatabase) : fileOrDatabase;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    const db = this.#db;
    this.#statements = {
      insert: db.prepare(`INSERT INTO caspay_inbox (key, type, event, state, received_at, updated_at, due_at)
        VALUES (@key, @type, @event, 'received', @now, @now, @now) ON CONFLICT (key) DO NOTHING`),
      state: db.prepare('SELECT state, attempts, lease_until AS leaseUntil FROM caspay_inbox WHERE key = ?'),
      claimKey: db.prepare(`UPDATE caspay_inbox SET state = 'processing', attempts = attempts + 1,
        lease_until = @leaseUntil, due_at = @leaseUntil, updated_at = @now WHERE key = @key AND ${CLAIMABLE}
        RETURNING key, event, attempts AS attempt`),
      claimAny: db.prepare(`UPDATE caspay_inbox SET state = 'processing', attempts = attempts + 1,
        lease_until = @leaseUntil, due_at = @leaseUntil, updated_at = @now
        WHERE key = (SELECT key FROM caspay_inbox WHERE ${CLAIMABLE} ORDER BY due_at LIMIT 1)
        RETURNING key, event, attempts AS attempt`),
      complete: db.prepare(`UPDATE caspay_inbox SET state = 'done', lease_until = NULL, due_at = NULL, completed_at = @now,
        updated_at = @now WHERE key = @key AND state = 'processing' AND attempts = @attempt`),
      extend: db.prepare(`UPDATE caspay_inbox SET lease_until = @leaseUntil, due_at = @leaseUntil, updated_at = @now
        WHERE key = @key AND state = 'processing' AND attempts = @attempt`),
      fail: db.prepare(`UPDATE caspay_inbox SET state = @state, lease_until = NULL, last_error = @error,
        next_attempt_at = @nextAttemptAt, due_at = @nextAttemptAt, updated_at = @now
        WHERE key = @key AND state = 'processing' AND attempts = @attempt`),
      get: db.prepare(`SELECT ${COLUMNS} FROM caspay_inbox WHERE key = ?`),
      listAll: db.prepare(`SELECT ${COLUMNS} FROM caspay_inbox ORDER BY received_at DESC LIMIT ?`),
      listState: db.prepare(`SELECT ${COLUMNS} FROM caspay_inbox WHERE state = ? ORDER BY received_at DESC LIMIT ?`),
      retry: db.prepare(`UPDATE caspay_inbox SET state = 'received', next_attempt_at = NULL, due_at = @now, updated_at = @now
        WHERE key = @key AND state IN ('failed', 'dead')`),
      prune: db.prepare(`DELETE FROM caspay_inbox WHERE state = 'done' AND completed_at < ?`),
    };
  }

  /** @param {{ key: string, type: string, event: string, now: number }} entry */
  async record(entry) {
    this.#db.pragma('synchronous = FULL');
    let created;
    try {
      created = this.#statements.insert.run(entry).changes === 1;
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
    if (created) {
      return { created: true, state: /** @type {const} */ ('received'), attempts: 0, leaseUntil: null };
    }
    const row = /** @type {{ state: InboxEntry['state'], attempts: number, leaseUntil: number | null }} */ (this.#statements.state.get(entry.key));
    return { created: false, ...row };
  }

  /** @param {{ key: string | null, now: number, leaseMs: number }} request */
  async claim({ key, now, leaseMs }) {
    const params = { now, leaseUntil: now + leaseMs };
    const row = key === null ? this.#statements.claimAny.get(params) : this.#statements.claimKey.get({ ...params, key });
    return /** @type {{ key: string, event: string, attempt: number } | undefined} */ (row) ?? null;
  }

  /** @param {{ key: string, attempt: number, now: number }} finished */
  async complete(finished) {
    return this.#statements.complete.run(finished).changes === 1;
  }

  /** @param {{ key: string, attempt: number, now: number, leaseMs: number }} running */
  async extend({ key, attempt, now, leaseMs }) {
    return this.#statements.extend.run({ key, attempt, now, leaseUntil: now + leaseMs }).changes === 1;
  }

  /** @param {{ key: string, attempt: number, error: string, now: number, nextAttemptAt: number | null }} failed */
  async fail({ key, attempt, error, now, nextAttemptAt }) {
    const state = nextAttemptAt === null ? 'dead' : 'failed';
    return this.#statements.fail.run({ key, attempt, error, now, nextAttemptAt, state }).changes === 1;
  }

  /** @param {string} key */
  async get(key) {
    return /** @type {InboxEntry | undefined} */ (this.#statements.get.get(key)) ?? null;
  }

  /** @param {{ state?: InboxEntry['state'], limit?: number }} [filter] */
  async list({ state, limit = 100 } = {}) {
    const rows = state === undefined ? this.#statements.listAll.all(limit) : this.#statements.listState.all(state, limit);
    return /** @type {InboxEntry[]} */ (rows);
  }

  /**
   * @param {string} key
   * @param {number} now
   */
  async retry(key, now) {
    return this.#statements.retry.run({ key, now }).changes === 1;
  }

  /** @param {number} before done events completed before this time are forgotten */
  async prune(before) {
    return this.#statements.prune.run(before).changes;
  }

  async close() {
    this.#db.close();
  }
}
