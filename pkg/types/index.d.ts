// Types for caspay-webhooks. Every function is synchronous; the browser build needs
// `await init()` (or `initSync`) once before the first call.

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
  | 'internal_error';

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
  /** The status a receiver should answer with (401, 400, 413, 200 for duplicates, 500). */
  readonly httpStatus: number;
}

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

/** An amount exactly as sent: integer motes or a decimal in major units, as text. */
export type Amount = string;

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
  /** Same for every retry of a delivery: the id, or `sha256:` + the body digest. */
  idempotencyKey: string;
  /** The original `data`, numbers under amount keys as exact strings. */
  data: Record<string, unknown>;
}

export interface PaymentEvent extends EventBase {
  type: PaymentEventType;
  kind: PaymentEventType;
  category: 'payment';
  payment: PaymentDetails;
  subscription: null;
}

export interface SubscriptionEvent extends EventBase {
  type: SubscriptionEventType;
  kind: Exclude<SubscriptionEventType, 'subscription.cancelled'>;
  category: 'subscription';
  payment: null;
  subscription: SubscriptionDetails;
}

export interface OtherKnownEvent extends EventBase {
  type: InvoiceEventType | PayoutEventType | ContractEventType | TestEventType;
  kind: InvoiceEventType | PayoutEventType | ContractEventType | TestEventType;
  category: 'invoice' | 'payout' | 'contract' | 'test';
  payment: null;
  subscription: null;
}

/** A type this version does not know yet: parsed, never rejected. */
export interface UnknownEvent extends EventBase {
  type: string;
  kind: 'unknown';
  category: 'unknown';
  payment: null;
  subscription: null;
}

/** Narrow on `category` (or `kind`) to reach the typed details. */
export type CasPayEvent = PaymentEvent | SubscriptionEvent | OtherKnownEvent | UnknownEvent;

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

/** Shared storage for dedupe: set-if-absent with a TTL (Redis SET NX EX, a unique key, KV…). */
export interface DedupeStore {
  /** Stores the key unless present; true when it was absent (the caller owns the event). */
  setIfAbsent(key: string, ttlSeconds: number): boolean | Promise<boolean>;
  /** Forgets the key, so a retry is processed again. */
  delete(key: string): void | Promise<void>;
}

export declare class MemoryStore implements DedupeStore {
  constructor(options?: { now?: () => number });
  setIfAbsent(key: string, ttlSeconds: number): boolean;
  delete(key: string): void;
}

export declare const DEFAULT_DEDUPE_TTL_SECONDS: number;

export interface Deduper {
  readonly store: DedupeStore;
  readonly ttlSeconds: number;
  /** Resolves the first time; rejects with WebhookError `duplicate_event` on a repeat. */
  claim(eventOrKey: CasPayEvent | string): Promise<void>;
  /** Call when processing failed, so CasPay's retry is processed. */
  release(eventOrKey: CasPayEvent | string): Promise<void>;
}

export declare function createDeduper(options?: { ttlSeconds?: number; store?: DedupeStore }): Deduper;

/** Browser build only: fetches and instantiates the module (once). */
export declare function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Browser build only: instantiates from bytes or a compiled module the page already has. */
export declare function initSync(module: BufferSource | WebAssembly.Module): void;
