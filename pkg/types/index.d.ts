// Types for caspay-webhooks: everything every build exports. Every function is
// synchronous. The browser build also exports `init` / `initSync` (types/browser.d.ts);
// the other builds load the WebAssembly module on import.

/** The raw request body exactly as received. Never a parsed object. */
export type Payload = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** An endpoint secret: text (`whsec_…`, its UTF-8 bytes used verbatim) or raw bytes. */
export type Secret = string | Uint8Array | ArrayBuffer;

/** A signature header value, or the request headers to read `X-CasPay-Signature` from. */
export type SignatureSource =
  | string
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** Reject events whose signed `created`/`timestamp` is further than this from `now`.
   *  CasPay retries with the original body for about 13 hours, so keep this above that
   *  or leave it unset. */
  toleranceSeconds?: number;
  /** The clock for the tolerance check: unix seconds, a Date, or a function returning one. */
  now?: number | Date | (() => number | Date);
  /** Largest accepted body in bytes (default 262144). */
  maxPayloadBytes?: number;
}

export type WebhookErrorCode =
  | 'missing_signature'
  | 'invalid_signature_format'
  | 'signature_mismatch'
  | 'invalid_secret'
  | 'payload_too_large'
  | 'invalid_json'
  | 'invalid_event'
  | 'timestamp_outside_tolerance'
  | 'duplicate_event'
  | 'invalid_payload'
  | 'internal_error'
  | 'processing_failed'
  | 'processing_in_progress'
  | 'store_unavailable'
  | 'unsupported_encoding'
  | 'retry_scheduled';

export declare const ERROR_CODES: readonly WebhookErrorCode[];

export declare class WebhookError extends Error {
  constructor(code: WebhookErrorCode, message: string, details?: { field?: string | null; position?: number | null; cause?: unknown });
  readonly name: 'WebhookError';
  /** Stable across versions and identical in every host. */
  readonly code: WebhookErrorCode;
  /** For `invalid_event`: the offending field, e.g. `data.payment.amount`. */
  readonly field: string | null;
  /** For `invalid_json`: the byte offset where parsing failed. */
  readonly position: number | null;
  /** The status a receiver should answer with: 401, 400, 413, 415, 409, 503, 500, and 200 for duplicates. */
  readonly httpStatus: WebhookErrorStatus;
}

/** The HTTP status of each stable code (`error.httpStatus`). */
export interface WebhookErrorStatuses {
  missing_signature: 401;
  invalid_signature_format: 401;
  signature_mismatch: 401;
  invalid_secret: 500;
  payload_too_large: 413;
  invalid_json: 400;
  invalid_event: 400;
  timestamp_outside_tolerance: 400;
  duplicate_event: 200;
  invalid_payload: 500;
  internal_error: 500;
  processing_failed: 500;
  processing_in_progress: 409;
  store_unavailable: 503;
  unsupported_encoding: 415;
  retry_scheduled: 409;
}

/** Every status a `WebhookError` answers with, as literals (what typed `c.json(body, status)` APIs take). */
export type WebhookErrorStatus = WebhookErrorStatuses[WebhookErrorCode];

export type PaymentEventType =
  | 'payment.completed' | 'payment.failed' | 'payment.pending' | 'payment.received' | 'payment.confirmed';
export type SubscriptionEventType =
  | 'subscription.created' | 'subscription.updated' | 'subscription.canceled' | 'subscription.cancelled'
  | 'subscription.payment_succeeded' | 'subscription.payment_failed' | 'subscription.renewed' | 'subscription.expired';
export type InvoiceEventType = 'invoice.created' | 'invoice.paid';
export type PayoutEventType = 'payout.initiated' | 'payout.completed' | 'payout.failed';
export type ContractEventType = 'contract.deployed' | 'contract.error';
export type TestEventType = 'test.webhook';
export type EventType =
  | PaymentEventType | SubscriptionEventType | InvoiceEventType | PayoutEventType | ContractEventType | TestEventType;

/** The canonical kind: `subscription.cancelled` is reported as `subscription.canceled`. */
export type EventKind = Exclude<EventType, 'subscription.cancelled'> | 'unknown';

/** The unit an amount was sent in: integer motes (shapes A and B), CSPR (shape C), or not CSPR. */
export type AmountUnit = 'motes' | 'cspr' | 'unknown';

/** An amount exactly as sent, its unit, and for CSPR the exact amount in motes (1 CSPR = 10^9 motes). */
export interface Amount {
  /** The decimal text as sent, e.g. `"12.5"`, `"100000000000"`, `"1e-7"`. */
  value: string;
  unit: AmountUnit;
  /** The exact amount in motes as a decimal integer (`BigInt(amount.motes)`), or null when the unit is unknown. */
  motes: string | null;
}

export interface PaymentDetails {
  id: string;
  amount: Amount;
  currency: string;
  status: string | null;
  metadata: Record<string, unknown> | null;
  transactionHash: string | null;
  payer: string | null;
  productId: string | null;
}

export interface SubscriptionDetails {
  id: string;
  planId: string | null;
  subscriber: string | null;
  status: string | null;
  amount: Amount | null;
  currency: string | null;
  paymentId: string | null;
  transactionHash: string | null;
  metadata: Record<string, unknown> | null;
}

interface EventBase {
  /** The event id; shape C carries none. */
  id: string | null;
  /** The shape the body arrived in: a (documented), b (data.object), c (flat, no id). */
  shape: 'a' | 'b' | 'c';
  /** Unix seconds, from the signed `created` or `timestamp` in the body. */
  created: number | null;
  merchantId: string | null;
  livemode: boolean | null;
  /** The same for every copy of the event: the id, or `sha256:` + the digest of its canonical content. */
  idempotencyKey: string;
  /** The original `data`; amounts, and numbers no host holds exactly, as exact strings. Parsed when first read (an enumerable getter: `JSON.stringify` and spread include it). */
  data: Record<string, unknown>;
}

/** The canonical kind of a type: `subscription.cancelled` is reported as `subscription.canceled`. */
export type KindOf<T extends EventType> = T extends 'subscription.cancelled' ? 'subscription.canceled' : T;

export interface PaymentEvent<T extends PaymentEventType = PaymentEventType> extends EventBase {
  type: T;
  kind: KindOf<T>;
  category: 'payment';
  payment: PaymentDetails;
  subscription: null;
}

export interface SubscriptionEvent<T extends SubscriptionEventType = SubscriptionEventType> extends EventBase {
  type: T;
  kind: KindOf<T>;
  category: 'subscription';
  payment: null;
  subscription: SubscriptionDetails;
}

type OtherEventType = InvoiceEventType | PayoutEventType | ContractEventType | TestEventType;

export interface OtherKnownEvent<T extends OtherEventType = OtherEventType> extends EventBase {
  type: T;
  kind: T;
  category: T extends InvoiceEventType ? 'invoice' : T extends PayoutEventType ? 'payout' : T extends ContractEventType ? 'contract' : 'test';
  payment: null;
  subscription: null;
}

declare const unknownEventType: unique symbol;

/**
 * The `type` of an event this version does not know: at run time a plain string (compare
 * it with `String(event.type)`, log it, store it with `` `${event.type}` ``). It is typed
 * as a distinct kind of string on purpose: a string literal is never comparable to it, so
 * `event.type === 'payment.completed'` (or a `switch`) narrows the event to the known type;
 * with a plain `string` here, no `type` comparison could narrow anything.
 */
export interface UnknownEventType extends String {
  readonly [unknownEventType]: true;
}

/** A type this version does not know yet: parsed, never rejected. */
export interface UnknownEvent extends EventBase {
  type: UnknownEventType;
  kind: 'unknown';
  category: 'unknown';
  payment: null;
  subscription: null;
}

/**
 * Narrow on `type`, `kind` or `category` to reach the typed details. One member per known
 * type, so that `event.type === 'payment.completed'` narrows to exactly
 * `PaymentEvent<'payment.completed'>`.
 */
export type CasPayEvent =
  | { [T in PaymentEventType]: PaymentEvent<T> }[PaymentEventType]
  | { [T in SubscriptionEventType]: SubscriptionEvent<T> }[SubscriptionEventType]
  | { [T in OtherEventType]: OtherKnownEvent<T> }[OtherEventType]
  | UnknownEvent;

/** The events a handler registered for `T` receives (a canonical kind includes its aliases). */
export type EventOf<T extends string> = T extends '*'
  ? CasPayEvent
  : T extends 'subscription.canceled'
    ? SubscriptionEvent<'subscription.canceled' | 'subscription.cancelled'>
    : T extends PaymentEventType
      ? PaymentEvent<T>
      : T extends SubscriptionEventType
        ? SubscriptionEvent<T>
        : T extends OtherEventType
          ? OtherKnownEvent<T>
          : string extends T
            ? CasPayEvent
            : UnknownEvent;

export declare const SIGNATURE_HEADER: 'X-CasPay-Signature';
export declare const EVENT_HEADER: 'X-CasPay-Event';
export declare const TIMESTAMP_HEADER: 'X-CasPay-Timestamp';

/** True when the signature is valid. Never throws: bad input is `false`. */
export declare function verifyWebhook(payload: Payload, signature: SignatureSource, secret: Secret | readonly Secret[]): boolean;

/** Parses WITHOUT checking the signature. Throws WebhookError. */
export declare function parseEvent(payload: Payload, options?: Omit<VerifyOptions, never>): CasPayEvent;

/** Size, then signature, then JSON, then event, then freshness. Throws WebhookError. */
export declare function constructEvent(
  payload: Payload,
  signature: SignatureSource,
  secretOrSecrets: Secret | readonly Secret[],
  options?: VerifyOptions,
): CasPayEvent;

/** A verifier bound to one or more secrets (rotation: current first); reuse it. */
export declare class Webhook {
  constructor(secretOrSecrets: Secret | readonly Secret[], options?: VerifyOptions);
  /** Verifies, then parses. Throws WebhookError. */
  verify(payload: Payload, signature: SignatureSource, options?: VerifyOptions): CasPayEvent;
  /** Checks only the signature; returns the index of the matching secret. Throws WebhookError. */
  verifySignature(payload: Payload, signature: SignatureSource): number;
  /** Signs with the first secret (lowercase hex). */
  sign(payload: Payload): string;
  toJSON(): { secrets: string; options: VerifyOptions };
}

/** CasPay's signature (lowercase hex) of a body, for your own tests. */
export declare function sign(payload: Payload, secret: Secret): string;

/** Every event type this version knows, from the core (other types parse as `unknown`). */
export declare function eventTypes(): readonly EventType[];

/** A realistic body for any known type, in shape a (default), b or c. */
export declare function sampleEvent(type: EventType, shape?: 'a' | 'b' | 'c', options?: { seed?: string; created?: number }): string;

/** Integer motes to CSPR, exactly: "100000000000" → "100". Throws RangeError otherwise. */
export declare function motesToCspr(motes: string | bigint): string;

/** The states of docs/inbox.md. */
export type InboxState = 'received' | 'processing' | 'done' | 'failed' | 'dead';

/** One event in the inbox, as stores report it (times in milliseconds). */
export interface InboxEntry {
  key: string;
  type: string;
  state: InboxState;
  /** Runs started so far. */
  attempts: number;
  leaseUntil: number | null;
  nextAttemptAt: number | null;
  lastError: string | null;
  receivedAt: number;
  updatedAt: number;
  completedAt: number | null;
}

/** A run's hold on an event: its attempt number is the lease's fencing token. */
export interface Claim {
  key: string;
  /** The normalized event as JSON text. */
  event: string;
  attempt: number;
}

/** Where the inbox keeps events. Every transition must be atomic (see docs/inbox.md). */
export interface InboxStore {
  record(entry: { key: string; type: string; event: string; now: number }): Promise<{ created: boolean; state: InboxState; attempts: number; leaseUntil: number | null }>;
  /** Takes `key` (or, with `key: null`, the oldest due event) when a run may: see docs/inbox.md. */
  claim(request: { key: string | null; now: number; leaseMs: number }): Promise<Claim | null>;
  complete(finished: { key: string; attempt: number; now: number }): Promise<boolean>;
  /** Optional: moves the lease of the run `attempt` (still holding it) to `now + leaseMs`;
   *  false when that run no longer holds it. The inbox calls it while a handler runs; a store
   *  without it needs a lease longer than its slowest handler. */
  extend?(running: { key: string; attempt: number; now: number; leaseMs: number }): Promise<boolean>;
  /** `nextAttemptAt: null` makes the event dead. */
  fail(failed: { key: string; attempt: number; error: string; now: number; nextAttemptAt: number | null }): Promise<boolean>;
  get(key: string): Promise<InboxEntry | null>;
  list(filter?: { state?: InboxState; limit?: number }): Promise<InboxEntry[]>;
  /** Moves a failed or dead event back to received. */
  retry(key: string, now: number): Promise<boolean>;
  /** Forgets done events completed before `before`; returns how many. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

/** For tests, demos and trying the package out: a restart forgets everything. */
export declare class MemoryStore implements InboxStore {
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

/** What a handler run knows: handlers run at least once, so key side effects on `key`. */
export interface RunContext {
  /** The event's idempotency key. */
  key: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
}

/** One finished run, for logs: `processed <type> <key> attempt <n>`. */
export interface RunReport {
  event: CasPayEvent;
  key: string;
  attempt: number;
  /** `lease_lost`: the run finished after its lease expired and another run took over. */
  outcome: 'done' | 'failed' | 'dead' | 'lease_lost';
  error?: unknown;
  ms: number;
}

/** An HTTP answer for one delivery. */
export interface InboxAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface InboxOptions {
  store: InboxStore;
  handler: (event: CasPayEvent, context: RunContext) => unknown;
  /** How long a run's lease lasts (default 60). With a store that can `extend` it (the
   *  package's stores), a running handler keeps it, for up to 10 leases; otherwise a run
   *  longer than this is taken over by another. A run whose process died is taken over once
   *  its lease ends. */
  leaseSeconds?: number;
  /** Runs before an event is dead (default 32: the last about a day after the first). */
  maxAttempts?: number;
  /** Milliseconds before retry number `attempts` (default 10 s × 2^(attempts − 1), at most 1 h). */
  backoff?: (attempts: number) => number;
  /** The clock, in milliseconds (for tests). */
  now?: () => number;
  onRun?: (report: RunReport) => void;
  /** Runs at a time in the worker loop (default 4). */
  concurrency?: number;
  /** How often the worker loop looks for due retries and expired leases (default 1000). */
  pollIntervalMs?: number;
  /** How long a done event is remembered, so that its copies are answered as duplicates
   *  (default 90 days); the inbox then forgets it by itself, checking at most hourly. */
  retainDoneSeconds?: number;
}

export declare const DEFAULT_LEASE_SECONDS: number;
export declare const DEFAULT_MAX_ATTEMPTS: number;
export declare const DEFAULT_RETAIN_DONE_SECONDS: number;
export declare function defaultBackoff(attempts: number): number;

/** The state machine of docs/inbox.md over a store. */
export declare class Inbox {
  constructor(options: InboxOptions);
  readonly store: InboxStore;
  /** Records, then answers 200 (our worker processes it) or 503. */
  accept(event: CasPayEvent): Promise<InboxAnswer>;
  /** Records and processes in this call: 200, 500 (failed, retry), 409 (in progress) or 503. */
  acceptAndProcess(event: CasPayEvent): Promise<InboxAnswer>;
  /** Processes every due event; resolves with the number of runs. */
  processDue(): Promise<number>;
  /** Starts the worker loop. */
  start(): this;
  /** Stops the loop and waits for runs in progress (a hung one until it counts as hung). */
  stop(): Promise<void>;
  /** An operator's "process again" for a failed or dead event. */
  retry(key: string): Promise<boolean>;
  /** Forgets done events older than `retainDoneSeconds` now (the inbox also does it by itself). */
  prune(): Promise<number>;
}

/** One delivery's outcome, for logs. */
export interface DeliveryReport {
  status: number;
  /** The stable code (`duplicate_event` for copies), or null for a new event. */
  code: string | null;
  event: CasPayEvent | null;
}

export interface ReceiverOptions extends Omit<InboxOptions, 'handler' | 'store'> {
  /** Where the receiver's own inbox keeps events (SqliteStore, PostgresStore, MemoryStore). */
  store?: InboxStore;
  /** Or an inbox elsewhere that records (and processes) verified events, e.g.
   *  `durableObjectInbox(env.CASPAY_INBOX)`; handlers are then registered there, not here. */
  inbox?: RemoteInbox;
  /** The endpoint secret (`whsec_…`), or [current, previous] during a rotation. */
  secret?: Secret | readonly Secret[];
  secrets?: Secret | readonly Secret[];
  /** `in-request` (default): processed before the answer, for any server, serverless included.
   *  `background`: answered once recorded, processed by a worker loop in this process. */
  processing?: 'in-request' | 'background';
  /** Largest accepted body in bytes (default 262144; 0 keeps the default). */
  maxPayloadBytes?: number;
  toleranceSeconds?: number;
  onDelivery?: (report: DeliveryReport) => void;
}

/** Where a receiver hands verified events: an inbox elsewhere (`durableObjectInbox`). */
export interface RemoteInbox {
  accept(event: CasPayEvent): Promise<InboxAnswer>;
}

/** `I`: its own `Inbox` when made with a `store` (operators' `processDue()`, `retry(key)`,
 *  `store.list()`), the remote inbox it was given otherwise. */
export declare class Receiver<I extends Inbox | RemoteInbox = Inbox> {
  constructor(options: ReceiverOptions);
  readonly inbox: I;
  /** Runs `handler` for events of `type` (or its canonical kind), of any of several types
   *  (`['payment.received', 'payment.completed']`), or every event with `'*'`; each handler
   *  once per run. */
  on<T extends EventType | '*'>(type: T | readonly T[], handler: (event: EventOf<T>, context: RunContext) => unknown): this;
  on(type: string | readonly string[], handler: (event: CasPayEvent, context: RunContext) => unknown): this;
  stop(): Promise<void>;
  handle(body: Uint8Array | string, headers: SignatureSource): Promise<InboxAnswer>;
  /** Workers, Next.js route handlers, Hono, Bun, Deno. */
  fetch: (request: Request) => Promise<Response>;
  /** node:http and Express (no JSON body parser before it). */
  node: (req: any, res: any) => Promise<void>;
  /** Koa: `router.post('/webhook', receiver.koa)`. */
  koa: (ctx: any) => Promise<void>;
  /** Fastify: `fastify.register(receiver.fastify, { path: '/webhook' })`. */
  fastify: (fastify: any, options: { path?: string }) => Promise<void>;
}

export declare const DEFAULT_RECEIVER_MAX_PAYLOAD_BYTES: number;
export declare function createReceiver<I extends RemoteInbox>(options: ReceiverOptions & { inbox: I }): Receiver<I>;
export declare function createReceiver(options: ReceiverOptions & { store: InboxStore }): Receiver<Inbox>;
export declare function createReceiver(options: ReceiverOptions): Receiver<Inbox | RemoteInbox>;
