// Renders a normalized event: the fields a merchant acts on, with exact amounts.

/** @typedef {import('caspay-webhooks').CasPayEvent} CasPayEvent */

const INTEGER = /^(0|[1-9][0-9]*)$/;

/**
 * The amount as sent, with its CSPR value when it is integer motes. The documented shapes
 * (A, B) send integer motes; shape C, what the server posts today, sends major units.
 * @param {{ amount: string | null, currency: string | null }} details
 * @param {string} shape
 * @param {(motes: string) => string} motesToCspr
 */
export function describeAmount(details, shape, motesToCspr) {
  if (details.amount === null) return '—';
  const currency = details.currency ?? '';
  if (currency === 'CSPR' && shape !== 'c' && INTEGER.test(details.amount)) {
    return `${motesToCspr(details.amount)} CSPR (${details.amount} motes)`;
  }
  return `${details.amount} ${currency}`.trim();
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
    rows.push(['Amount', describeAmount(payment, event.shape, motesToCspr)], ['Payment id', payment.id]);
    if (payment.status !== null) rows.push(['Status', payment.status]);
    if (payment.transactionHash !== null) rows.push(['Transaction', payment.transactionHash]);
    if (payment.payer !== null) rows.push(['Payer', payment.payer]);
  } else if (subscription) {
    rows.push(['Amount', describeAmount(subscription, event.shape, motesToCspr)], ['Subscription id', subscription.id]);
    if (subscription.planId !== null) rows.push(['Plan', subscription.planId]);
    if (subscription.status !== null) rows.push(['Status', subscription.status]);
    if (subscription.subscriber !== null) rows.push(['Subscriber', subscription.subscriber]);
  }
  return rows;
}
