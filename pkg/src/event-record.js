// Builds the event from the record the core writes for JavaScript (src/host/record.rs, which
// documents the layout): object literals over slices of one decoded text, where parsing a
// JSON text of the whole event took a third of a parse. `data` and `metadata` are JSON;
// `data`, the larger, is parsed when first read (see LazyData).
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

/** Lets a class's constructor add its private fields to an object made elsewhere. */
class Stamp {
  /** @param {object} object */
  constructor(object) {
    return object;
  }
}

/**
 * The event's `data`, kept as its JSON text until read: most handlers read only the typed
 * fields, and parsing `data` was 40% of building an event (bench/node/run.mjs). The text and
 * the parsed value are private fields added to the event itself, so the event stays a plain
 * object whose own enumerable properties are its fields: `JSON.stringify`, spread,
 * `structuredClone` and deep equality read `data` through its getter like any other field.
 * (A getter closing over the text gives every event its own hidden class, which cost more
 * than the parse saved; a WeakMap costs about as much as the parse.)
 */
class LazyData extends Stamp {
  /** The JSON text, until it is parsed or replaced. @type {string | null} */
  #text;
  /** @type {unknown} */
  #value = null;

  /** @param {object} event @param {string} text */
  constructor(event, text) {
    super(event);
    this.#text = text;
  }

  /** @param {LazyData} event */
  static read(event) {
    if (event.#text !== null) {
      event.#value = JSON.parse(event.#text);
      event.#text = null;
    }
    return event.#value;
  }

  /** @param {LazyData} event @param {unknown} value */
  static write(event, value) {
    event.#value = value;
    event.#text = null;
  }
}

/** One descriptor for every event, so that they all share one hidden class. */
const DATA = {
  /** @this {LazyData} */
  get() {
    return LazyData.read(this);
  },
  /** @this {LazyData} @param {unknown} value */
  set(value) {
    LazyData.write(this, value);
  },
  enumerable: true,
  configurable: true,
};

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
  const data = required();
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
  };
  new LazyData(event, data);
  Object.defineProperty(event, 'data', DATA);
  // The record is a view of WebAssembly memory, which the next call overwrites.
  bytes = EMPTY;
  text = '';
  return event;
}
