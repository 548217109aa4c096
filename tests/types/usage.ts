// Compile-time checks of the published types: `tsc -p .` fails if they regress.
import { constructEvent, createReceiver, MemoryStore, Webhook, WebhookError, type CasPayEvent } from 'caspay-webhooks';
import { SqliteStore } from 'caspay-webhooks/sqlite';
import { PostgresStore } from 'caspay-webhooks/postgres';

export function motesOf(event: CasPayEvent): bigint | null {
  switch (event.category) {
    case 'payment':
      return event.payment.amount.motes === null ? null : BigInt(event.payment.amount.motes);
    case 'subscription':
      return event.subscription.amount?.motes == null ? null : BigInt(event.subscription.amount.motes);
    default:
      return null;
  }
}

export function check(body: Uint8Array, headers: Headers): number {
  try {
    constructEvent(body, headers, ['whsec_current', 'whsec_previous'], { toleranceSeconds: 86_400 });
    return 200;
  } catch (error) {
    if (error instanceof WebhookError) return error.httpStatus;
    throw error;
  }
}

export const receiver = createReceiver({ secret: 'whsec_x', store: new MemoryStore() })
  .on('payment.completed', (event, { key, attempt }) => `${event.payment.id} ${event.payment.amount.value} ${key} ${attempt}`)
  .on('subscription.canceled', (event) => event.subscription.id)
  .on('*', (event) => event.idempotencyKey);
export const stores = [new SqliteStore(':memory:'), new PostgresStore('postgres://localhost/x')];

const webhook = new Webhook('whsec_x');
// @ts-expect-error a parsed object is not a payload
webhook.verify({ type: 'payment.completed' }, 'sig');
// @ts-expect-error unknown sample types are rejected at compile time
import('caspay-webhooks').then((m) => m.sampleEvent('payment.refunded'));
