// The claim rule of docs/inbox.md, for stores that decide it in JavaScript (memory, Durable
// Object); the SQL stores say the same in their WHERE clauses.

/** @typedef {import('../../types/index.js').InboxEntry} InboxEntry */

/**
 * Whether a run may take the event now: received; failed with its retry due; processing
 * under an expired lease.
 * @param {Pick<InboxEntry, 'state' | 'leaseUntil' | 'nextAttemptAt'>} row
 * @param {number} now
 */
export function isClaimable(row, now) {
  switch (row.state) {
    case 'received':
      return true;
    case 'failed':
      return (row.nextAttemptAt ?? 0) <= now;
    case 'processing':
      return (row.leaseUntil ?? 0) <= now;
    default:
      return false;
  }
}

/**
 * When a claimable row fell due, as the SQL stores keep it in `due_at`: workers claim the
 * oldest due first, so events taken over again and again cannot starve newer ones.
 * @param {Pick<InboxEntry, 'state' | 'leaseUntil' | 'nextAttemptAt' | 'updatedAt'>} row
 */
export function dueAt(row) {
  switch (row.state) {
    case 'failed':
      return row.nextAttemptAt ?? 0;
    case 'processing':
      return row.leaseUntil ?? 0;
    default:
      return row.updatedAt;
  }
}

/**
 * The public view of a row: everything but the event text.
 * @param {InboxEntry & { event?: string }} row
 * @returns {InboxEntry}
 */
export function toEntry(row) {
  return {
    key: row.key,
    type: row.type,
    state: row.state,
    attempts: row.attempts,
    leaseUntil: row.leaseUntil,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    completedAt: row.completedAt,
  };
}
