// `event.type` narrows the event for every type this version knows, in `if` and `switch`,
// while an unknown type stays reachable as text. `tsc -p .` fails if that regresses.
import { Hono } from 'hono';
import {
  constructEvent, WebhookError,
  type CasPayEvent, type EventType, type OtherKnownEvent, type PaymentEvent, type SubscriptionEvent, type UnknownEvent,
  type WebhookErrorStatus,
} from 'caspay-webhooks';

/** Each known type, checked to narrow `event` to exactly its event type. */
export function narrowsEveryKnownType(e: CasPayEvent): void {
  if (e.type === 'payment.completed') { const x: PaymentEvent<'payment.completed'> = e; x.payment.amount.motes; }
  if (e.type === 'payment.failed') { const x: PaymentEvent<'payment.failed'> = e; x.payment.id; }
  if (e.type === 'payment.pending') { const x: PaymentEvent<'payment.pending'> = e; x.payment.id; }
  if (e.type === 'payment.received') { const x: PaymentEvent<'payment.received'> = e; x.payment.id; }
  if (e.type === 'payment.confirmed') { const x: PaymentEvent<'payment.confirmed'> = e; x.payment.id; }
  if (e.type === 'subscription.created') { const x: SubscriptionEvent<'subscription.created'> = e; x.subscription.id; }
  if (e.type === 'subscription.updated') { const x: SubscriptionEvent<'subscription.updated'> = e; x.subscription.id; }
  if (e.type === 'subscription.canceled') { const x: SubscriptionEvent<'subscription.canceled'> = e; x.subscription.id; }
  if (e.type === 'subscription.cancelled') { const x: SubscriptionEvent<'subscription.cancelled'> = e; const k: 'subscription.canceled' = x.kind; k; }
  if (e.type === 'subscription.payment_succeeded') { const x: SubscriptionEvent<'subscription.payment_succeeded'> = e; x.subscription.id; }
  if (e.type === 'subscription.payment_failed') { const x: SubscriptionEvent<'subscription.payment_failed'> = e; x.subscription.id; }
  if (e.type === 'subscription.renewed') { const x: SubscriptionEvent<'subscription.renewed'> = e; x.subscription.id; }
  if (e.type === 'subscription.expired') { const x: SubscriptionEvent<'subscription.expired'> = e; x.subscription.id; }
  if (e.type === 'invoice.created') { const x: OtherKnownEvent<'invoice.created'> = e; const c: 'invoice' = x.category; c; }
  if (e.type === 'invoice.paid') { const x: OtherKnownEvent<'invoice.paid'> = e; const c: 'invoice' = x.category; c; }
  if (e.type === 'payout.initiated') { const x: OtherKnownEvent<'payout.initiated'> = e; const c: 'payout' = x.category; c; }
  if (e.type === 'payout.completed') { const x: OtherKnownEvent<'payout.completed'> = e; const c: 'payout' = x.category; c; }
  if (e.type === 'payout.failed') { const x: OtherKnownEvent<'payout.failed'> = e; const c: 'payout' = x.category; c; }
  if (e.type === 'contract.deployed') { const x: OtherKnownEvent<'contract.deployed'> = e; const c: 'contract' = x.category; c; }
  if (e.type === 'contract.error') { const x: OtherKnownEvent<'contract.error'> = e; const c: 'contract' = x.category; c; }
  if (e.type === 'test.webhook') { const x: OtherKnownEvent<'test.webhook'> = e; const c: 'test' = x.category; c; }
}

// The list above is every known type: adding one to EventType without a line here fails.
const covered = [
  'payment.completed', 'payment.failed', 'payment.pending', 'payment.received', 'payment.confirmed',
  'subscription.created', 'subscription.updated', 'subscription.canceled', 'subscription.cancelled',
  'subscription.payment_succeeded', 'subscription.payment_failed', 'subscription.renewed', 'subscription.expired',
  'invoice.created', 'invoice.paid', 'payout.initiated', 'payout.completed', 'payout.failed',
  'contract.deployed', 'contract.error', 'test.webhook',
] as const satisfies readonly EventType[];
export const everyTypeCovered: [Exclude<EventType, (typeof covered)[number]>] extends [never] ? true : false = true;

/** A switch narrows each case; the default keeps unknown types, whose text is a String() away. */
export function describe(event: CasPayEvent): string {
  switch (event.type) {
    case 'payment.completed':
    case 'payment.received':
      return `${event.payment.id}: ${event.payment.amount.value} ${event.payment.amount.unit}`;
    case 'subscription.cancelled':
    case 'subscription.canceled':
      return event.subscription.id;
    default: {
      const type: string = String(event.type);
      if (event.kind === 'unknown') {
        const unknown: UnknownEvent = event;
        return `new type ${unknown.type}: ${type}`;
      }
      return type;
    }
  }
}

/** Without narrowing, the details are nullable: the union is really a union. */
export function unnarrowed(event: CasPayEvent): string | undefined {
  // @ts-expect-error `payment` is null for every other category
  return event.payment.id;
}

/** A literal no known type has cannot be compared with `type` directly: it says so at compile time. */
export function futureType(event: CasPayEvent): boolean {
  // @ts-expect-error 'payment.refunded' is not a type this version knows; use String(event.type)
  const direct = event.type === 'payment.refunded';
  return direct || String(event.type) === 'payment.refunded';
}

// `httpStatus` is a union of literal statuses, which Hono's typed `c.json(body, status)` takes.
const app = new Hono();
app.post('/webhook', async (c) => {
  try {
    const event = constructEvent(await c.req.arrayBuffer(), c.req.raw.headers, 'whsec_x');
    return c.json({ received: event.idempotencyKey });
  } catch (error) {
    if (error instanceof WebhookError) return c.json({ error: error.code }, error.httpStatus);
    throw error;
  }
});
export const statuses: WebhookErrorStatus[] = [200, 400, 401, 409, 413, 415, 500, 503];
// @ts-expect-error 404 is not a status any WebhookError answers with
export const notAStatus: WebhookErrorStatus = 404;
export { app };
