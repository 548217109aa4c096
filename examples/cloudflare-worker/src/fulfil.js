// The example's stand-in for the merchant's real work (fulfil the order, extend the
// subscription). It leaves a record in KV so the work can be observed from outside.

/**
 * @param {import('caspay-webhooks').CasPayEvent} event
 * @param {{ WEBHOOKS: KVNamespace, PROCESSING_DELAY_MS?: string }} env
 */
export async function fulfil(event, env) {
  const delay = Number(env.PROCESSING_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const key = `processed:${event.idempotencyKey}`;
  // A count rather than a flag, so a delivery processed twice is visible as 2.
  const previous = /** @type {{ times: number } | null} */ (await env.WEBHOOKS.get(key, 'json'));
  const details = event.payment ?? event.subscription;
  await env.WEBHOOKS.put(key, JSON.stringify({
    times: (previous?.times ?? 0) + 1,
    type: event.type,
    amount: details?.amount ?? null,
    currency: details?.currency ?? null,
  }));
}
