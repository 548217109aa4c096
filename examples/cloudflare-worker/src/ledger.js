// The example's stand-in for the merchant's order database: one object that counts, per
// idempotency key, how many times the work ran. A count rather than a flag, so an event
// processed twice shows as 2; the tests read it from outside.

/**
 * @typedef {{ times: number, type: string, amount: unknown, currency: string | null }} Fulfilment
 */

/** The ledger's one object. @param {DurableObjectNamespace} namespace */
export const ledgerObject = (namespace) => namespace.get(namespace.idFromName('orders'));

export class Ledger {
  #storage;

  /** @param {DurableObjectState} ctx */
  constructor(ctx) {
    this.#storage = ctx.storage;
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/fulfil') {
      const { key, ...order } = /** @type {{ key: string, type: string, amount: unknown, currency: string | null }} */ (await request.json());
      const previous = /** @type {Fulfilment | undefined} */ (await this.#storage.get(`order:${key}`));
      const fulfilment = { times: (previous?.times ?? 0) + 1, ...order };
      await this.#storage.put(`order:${key}`, fulfilment);
      return Response.json(fulfilment);
    }
    if (request.method === 'GET' && url.pathname === '/orders') {
      const key = url.searchParams.get('key');
      if (key !== null) return Response.json((await this.#storage.get(`order:${key}`)) ?? null);
      const all = /** @type {Map<string, Fulfilment>} */ (await this.#storage.list({ prefix: 'order:' }));
      return Response.json(Object.fromEntries([...all].map(([name, fulfilment]) => [name.slice('order:'.length), fulfilment])));
    }
    return Response.json({ error: 'not_found' }, { status: 404 });
  }
}
