import type { InboxStore, InboxEntry, InboxState, Claim } from './index.js';

/** The inbox on SQLite (better-sqlite3, WAL): one receiver process, survives restarts. */
export declare class SqliteStore implements InboxStore {
  /** A file path, or an open better-sqlite3 database. */
  constructor(fileOrDatabase: string | object);
  record(entry: { key: string; type: string; event: string; now: number }): Promise<{ created: boolean; state: InboxState; attempts: number; leaseUntil: number | null }>;
  claim(request: { key: string | null; now: number; leaseMs: number }): Promise<Claim | null>;
  complete(finished: { key: string; attempt: number; now: number }): Promise<boolean>;
  extend(running: { key: string; attempt: number; now: number; leaseMs: number }): Promise<boolean>;
  fail(failed: { key: string; attempt: number; error: string; now: number; nextAttemptAt: number | null }): Promise<boolean>;
  get(key: string): Promise<InboxEntry | null>;
  list(filter?: { state?: InboxState; limit?: number }): Promise<InboxEntry[]>;
  retry(key: string, now: number): Promise<boolean>;
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}
