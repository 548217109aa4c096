// Builds the event from the record the core writes for JavaScript (src/host/record.rs, which
// documents the layout): object literals over slices of one decoded text, where parsing a
// JSON text of the whole event took a third of a parse. `data` and `metadata` are JSON.

const decoder = new TextDecoder();
/** The length of a null slot. */
const NULL = 0xffffffff;

/**
 * @param {Uint8Array} record the output of `parse` or `construct`, exactly
 * @returns {import('../types/index.js').CasPayEvent}
 */
export function readEvent(record) {
  const lengths = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const count = lengths.getUint32(0, true);
  const text = decoder.decode(record.subarray(4 + 4 * count));
  let slot = 4;
  let at = 0;
  /** @returns {string | null} */
  const next = () => {
    const length = lengths.getUint32(slot, true);
    slot += 4;
    if (length === NULL) return null;
    at += length;
    return text.slice(at - length, at);
  };
  /** @returns {string} */
  const required = () => /** @type {string} */ (next());
  /** @returns {any} */
  const json = () => {
    const value = next();
    return value === null ? null : JSON.parse(value);
  };
  const amount = () => {
    const value = next();
    const unit = next();
    const motes = next();
    return value === null ? null : { value, unit, motes };
  };
  const id = next();
  const type = required();
  const kind = required();
  const category = required();
  const shape = required();
  const created = next();
  const merchantId = next();
  const livemode = next();
  const idempotencyKey = required();
  const data = json();
  const details = next();
  /** @type {any} */
  const event = {
    id,
    type,
    kind,
    category,
    shape,
    created: created === null ? null : Number(created),
    merchantId,
    livemode: livemode === null ? null : livemode === 'true',
    idempotencyKey,
    payment: details === 'payment' ? {
      id: required(),
      amount: amount(),
      currency: required(),
      status: next(),
      metadata: json(),
      transactionHash: next(),
      payer: next(),
      productId: next(),
    } : null,
    subscription: details === 'subscription' ? {
      id: required(),
      planId: next(),
      subscriber: next(),
      status: next(),
      amount: amount(),
      currency: next(),
      paymentId: next(),
      transactionHash: next(),
      metadata: json(),
    } : null,
    data,
  };
  return event;
}
