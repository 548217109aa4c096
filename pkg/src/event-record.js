// Builds the event from the record the core writes for JavaScript (src/host/record.rs, which
// documents the layout): object literals over slices of one decoded text, where parsing a
// JSON text of the whole event took a third of a parse. `data` and `metadata` are JSON.
//
// The reader's state lives at module level rather than in closures per call: a parse is
// synchronous, and closures made on every call were a measurable part of building an event.

// A text may start with U+FEFF (an id or type that does): it is a character, not a byte
// order mark to drop.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** The length of a null slot. */
const NULL = 0xffffffff;

const EMPTY = new Uint8Array(0);
/** The text of the record being read. @type {Uint8Array<ArrayBufferLike>} */
let bytes = EMPTY;
/** @type {DataView} */
let lengths = new DataView(EMPTY.buffer);
/** The text decoded in one piece, and whether it is ASCII, so its byte offsets are string offsets. */
let text = '';
let ascii = true;
/** The offset of the next slot's length. */
let slot = 0;
/** The byte offset of the next slot's text. */
let at = 0;

/** @returns {string | null} */
function next() {
  const length = lengths.getUint32(slot, true);
  slot += 4;
  if (length === NULL) return null;
  at += length;
  return ascii ? text.slice(at - length, at) : decoder.decode(bytes.subarray(at - length, at));
}

/** @returns {string} */
function required() {
  return /** @type {string} */ (next());
}

/** @returns {any} */
function json() {
  const value = next();
  return value === null ? null : JSON.parse(value);
}

function amount() {
  const value = next();
  const unit = next();
  const motes = next();
  return value === null ? null : { value, unit, motes };
}

/**
 * @param {Uint8Array} record the output of `parse` or `construct`, exactly
 * @returns {import('../types/index.js').CasPayEvent}
 */
export function readEvent(record) {
  lengths = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const count = lengths.getUint32(0, true);
  bytes = record.subarray(4 + 4 * count);
  text = decoder.decode(bytes);
  ascii = text.length === bytes.length;
  slot = 4;
  at = 0;
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
  // The record is a view of WebAssembly memory, which the next call overwrites.
  bytes = EMPTY;
  text = '';
  return event;
}
