// The app's own work, as the README's snippets call it. Here each call prints a line that
// the test reads from the server's output (edge isolates have no file system).
import type { PaymentDetails, SubscriptionDetails } from 'caspay-webhooks';

/** Keys whose first run fails, as a flaky order service would. */
const failedOnce = new Set<string>();

export async function fulfilOrder(payment: PaymentDetails, key: string): Promise<void> {
  if (payment.metadata?.failOnce === true && !failedOnce.has(key)) {
    failedOnce.add(key);
    throw new Error('the order service is down');
  }
  console.log(`orders: fulfil ${payment.id} ${payment.amount.motes} ${key} (${process.env.NEXT_RUNTIME})`);
}

export async function cancelSubscription(subscription: SubscriptionDetails, key: string): Promise<void> {
  console.log(`orders: cancel ${subscription.id} ${key} (${process.env.NEXT_RUNTIME})`);
}
