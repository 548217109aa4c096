// Renders a normalized event: the fields a merchant acts on, with exact amounts.

/** @typedef {import('caspay-webhooks').CasPayEvent} CasPayEvent */

/**
 * The amount in CSPR with its exact motes whenever the unit is known, whatever shape carried
 * it; other currencies keep the text as sent.
 * @param {{ amount: import('caspay-webhooks').Amount | null, currency: string | null }} details
 * @param {(motes: string) => string} motesToCspr
 */
export function describeAmount(details, motesToCspr) {
  const amount = details.amount;
  if (amount === null) return '—';
  if (amount.motes !== null) return `${motesToCspr(amount.motes)} CSPR (${amount.motes} motes)`;
  return `${amount.value} ${details.currency ?? ''}`.trim();
}

/**
 * @param {CasPayEvent} event
 * @param {(motes: string) => string} motesToCspr
 * @returns {[string, string][]} label, value
 */
export function eventRows(event, motesToCspr) {
  /** @type {[string, string][]} */
  const rows = [
    ['Type', String(event.type)],
    ['Kind', event.kind],
    ['Category', event.category],
    ['Shape', event.shape.toUpperCase()],
    ['Event id', event.id ?? '— (shape C has none)'],
    ['Idempotency key', event.idempotencyKey],
    ['Created', event.created === null ? '—' : `${new Date(event.created * 1000).toISOString()} (${event.created})`],
  ];
  if (event.merchantId !== null) rows.push(['Merchant', event.merchantId]);
  if (event.livemode !== null) rows.push(['Live mode', String(event.livemode)]);
  const payment = event.payment;
  const subscription = event.subscription;
  if (payment) {
    rows.push(['Amount', describeAmount(payment, motesToCspr)], ['Payment id', payment.id]);
    if (payment.status !== null) rows.push(['Status', payment.status]);
    if (payment.transactionHash !== null) rows.push(['Transaction', payment.transactionHash]);
    if (payment.payer !== null) rows.push(['Payer', payment.payer]);
  } else if (subscription) {
    rows.push(['Amount', describeAmount(subscription, motesToCspr)], ['Subscription id', subscription.id]);
    if (subscription.planId !== null) rows.push(['Plan', subscription.planId]);
    if (subscription.status !== null) rows.push(['Status', subscription.status]);
    if (subscription.subscriber !== null) rows.push(['Subscriber', subscription.subscriber]);
  }
  return rows;
}
