// Compile-time checks of the published types: `tsc -p .` fails if they regress.
import { constructEvent, createDeduper, Webhook, WebhookError, type CasPayEvent } from 'caspay-webhooks';

export function amountOf(event: CasPayEvent): string | null {
  switch (event.category) {
    case 'payment':
      return event.payment.amount;
    case 'subscription':
      return event.subscription.amount;
    default:
      return null;
  }
}

export async function handle(body: Uint8Array, headers: Headers): Promise<number> {
  const deduper = createDeduper();
  try {
    const event = constructEvent(body, headers, ['whsec_current', 'whsec_previous'], { toleranceSeconds: 86_400 });
    await deduper.claim(event);
    return 200;
  } catch (error) {
    if (error instanceof WebhookError) return error.httpStatus;
    throw error;
  }
}

const webhook = new Webhook('whsec_x');
// @ts-expect-error a parsed object is not a payload
webhook.verify({ type: 'payment.completed' }, 'sig');
// @ts-expect-error unknown sample types are rejected at compile time
import('caspay-webhooks').then((m) => m.sampleEvent('payment.refunded'));
