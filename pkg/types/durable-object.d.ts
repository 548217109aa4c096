import type { CasPayEvent, Claim, DeliveryReport, InboxEntry, InboxState, InboxStore, RemoteInbox, RunContext, RunReport } from './index.js';

// The few Workers runtime shapes this entry uses, written structurally so that the types of
// @cloudflare/workers-types (or `wrangler types`) fit them without this package depending
// on either.

export interface DurableObjectTransactionLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(options: { prefix: string }): Promise<Map<string, unknown>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

export interface DurableObjectStorageLike extends DurableObjectTransactionLike {
  transaction<T>(closure: (txn: DurableObjectTransactionLike) => Promise<T>): Promise<T>;
}

export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: { method?: string; body?: string }): Promise<Response>;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): DurableObjectStubLike;
}

/** The inbox on one Durable Object's storage: each transition also moves the object's alarm. */
export declare class DurableObjectStore implements InboxStore {
  /**
   * The object's `ctx.storage`; a done event's alarm is set for when its retention ends
   * (`retainDoneSeconds`, 90 days by default; throws a TypeError unless it is a positive,
   * finite number of seconds).
   */
  constructor(storage: DurableObjectStorageLike, options?: { retainDoneSeconds?: number });
  record(entry: { key: string; type: string; event: string; now: number }): Promise<{ created: boolean; state: InboxState; attempts: number; leaseUntil: number | null }>;
  claim(request: { key: string | null; now: number; leaseMs: number }): Promise<Claim | null>;
  complete(finished: { key: string; attempt: number; now: number }): Promise<boolean>;
  fail(failed: { key: string; attempt: number; error: string; now: number; nextAttemptAt: number | null }): Promise<boolean>;
  get(key: string): Promise<InboxEntry | null>;
  list(filter?: { state?: InboxState; limit?: number }): Promise<InboxEntry[]>;
  retry(key: string, now: number): Promise<boolean>;
  prune(before: number): Promise<number>;
  close(): Promise<void>;
  /** Sets the alarm from the stored events again (after a wake-up that found nothing due). */
  reschedule(): Promise<void>;
  /** Wakes the object by `time` at the latest, keeping an earlier alarm. */
  wakeBy(time: number): Promise<void>;
}

/**
 * Processes one event inside its Durable Object. Runs at least once, until it returns
 * without throwing: key side effects on `context.key`.
 */
export type InboxObjectHandler<Env> = (event: CasPayEvent, context: RunContext, env: Env) => unknown;

export interface InboxObjectOptions {
  /** The env binding of the inbox class itself, used to reach the index (default `CASPAY_INBOX`). */
  binding?: string;
  /** How long a run may take before the alarm runs the event again (default 60). */
  leaseSeconds?: number;
  /** Runs before an event is dead (default 32: the last about a day after the first). */
  maxAttempts?: number;
  /** Milliseconds before retry number `attempts` (default 10 s × 2^(attempts − 1), at most 1 h). */
  backoff?: (attempts: number) => number;
  /** Every finished run, for logs. */
  onRun?: (report: RunReport) => void;
  /** How long a done event is remembered, so that its copies are answered as duplicates
   *  (default 90 days); the object's alarm then forgets it, leaving nothing stored. */
  retainDoneSeconds?: number;
}

/** What `createInboxObject` returns: extend it and export it under the bound class name. */
export interface InboxObjectClass<Env> {
  new (ctx: DurableObjectStateLike, env: Env): {
    fetch(request: Request): Promise<Response>;
    alarm(): Promise<void>;
  };
}

/** `export class CasPayInbox extends createInboxObject((event, { key, attempt }, env) => …) {}` */
export declare function createInboxObject<Env = any>(
  handler: InboxObjectHandler<Env>,
  options?: InboxObjectOptions | ((env: Env) => InboxObjectOptions),
): InboxObjectClass<Env>;

export declare const DEFAULT_INBOX_BINDING: 'CASPAY_INBOX';

export interface AcceptWebhookOptions {
  /** The binding of the class made by `createInboxObject`. */
  inbox: DurableObjectNamespaceLike;
  /** The endpoint secret (`whsec_…`), or [current, previous] during a rotation. */
  secret: string | readonly string[];
  /** Largest accepted body in bytes (default 262144). */
  maxPayloadBytes?: number;
  toleranceSeconds?: number;
  /** One call per delivery, for logs. Pass the same function every time (one defined at
   *  module level): the isolate keeps one receiver per function, and a new one costs keying
   *  the secrets again. */
  onDelivery?: (report: DeliveryReport) => void;
}

/** The inbox as the Worker sees it, for `createReceiver({ secret, inbox: durableObjectInbox(env.CASPAY_INBOX) })`. */
export declare function durableObjectInbox(namespace: DurableObjectNamespaceLike): RemoteInbox;

/**
 * Verifies a delivery and records it in its event's object: 200 once recorded (new or a
 * copy), 503 when the object could not be reached, 401/400/413/405 before anything is recorded.
 */
export declare function acceptWebhook(request: Request, options: AcceptWebhookOptions): Promise<Response>;

export interface InboxAdmin {
  /** Failed and dead events, the most recently changed first (100 by default); `offset`
   *  skips that many, for the next page. */
  list(filter?: { state?: 'failed' | 'dead'; limit?: number; offset?: number }): Promise<InboxEntry[]>;
  /** One event's state, by its idempotency key. */
  get(key: string): Promise<InboxEntry | null>;
  /** Processes a failed or dead event again; false for any other state. */
  retry(key: string): Promise<boolean>;
}

/** An operator's view of the inbox, from the Worker. */
export declare function inboxAdmin(namespace: DurableObjectNamespaceLike): InboxAdmin;
