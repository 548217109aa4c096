// The public API, the same on every platform; the platform entries only load the module.
import { assertReady, glue, writeInputs, written, outputText, outputEvent, failure, rethrow, generation } from './engine.js';
import { WebhookError } from './errors.js';
import { rawBody, signatureFrom } from './payload.js';

export { WebhookError, ERROR_CODES } from './errors.js';

/** The header CasPay puts the signature in. */
export const SIGNATURE_HEADER = 'X-CasPay-Signature';
/** The header naming the event type (not signed). */
export const EVENT_HEADER = 'X-CasPay-Event';
/** The delivery time header. Not signed: never use it for freshness. */
export const TIMESTAMP_HEADER = 'X-CasPay-Timestamp';

const SHAPES = { a: 0, b: 1, c: 2 };
/** Enough for a server with many merchants' endpoints; each entry is two HMAC states. */
const VERIFIER_CACHE_SIZE = 64;
/** @type {Map<string, Webhook>} verifiers for `verifyWebhook`/`constructEvent`, by secret set, least recently used first */
const verifiers = new Map();
/** Frees a cached verifier's keyed state in WebAssembly memory, which never shrinks. */
const release = Symbol('release');
/**
 * The secret of the last `verifyWebhook`/`constructEvent` when it was one string, and its
 * verifier, the most recently used entry of `verifiers`: a receiver passes the same secret
 * on every delivery, and this skips building the cache key and reordering the cache
 * (measured: 0.5 to 0.9 µs of a 4.5 µs verifyWebhook).
 * @type {{ secret: string | null, webhook: Webhook | null }}
 */
const last = { secret: null, webhook: null };

/**
 * @typedef {import('../types/index.js').Secret} Secret
 * @typedef {import('../types/index.js').VerifyOptions} VerifyOptions
 * @typedef {import('../types/index.js').CasPayEvent} CasPayEvent
 */

/**
 * The numbers the core takes for the options: 0 keeps a default limit, a negative
 * tolerance skips the freshness check.
 * @param {VerifyOptions} options
 */
function optionNumbers(options) {
  const maxPayloadBytes = options.maxPayloadBytes ?? 0;
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 0 || maxPayloadBytes > 0xffffffff) {
    throw new RangeError('maxPayloadBytes must be a non-negative integer number of bytes');
  }
  const tolerance = options.toleranceSeconds ?? -1;
  if (options.toleranceSeconds !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new RangeError('toleranceSeconds must be a non-negative number of seconds');
  }
  return { maxPayloadBytes, tolerance, now: tolerance < 0 ? 0 : unixSeconds(options.now) };
}

/** @param {VerifyOptions['now']} now */
function unixSeconds(now) {
  const value = typeof now === 'function' ? now() : now;
  if (value === undefined) return Math.floor(Date.now() / 1000);
  return Math.floor(value instanceof Date ? value.getTime() / 1000 : value);
}

/** @type {number | undefined} */
let defaultMaxPayloadBytes;

/**
 * Refuses a body already known to be over the limit before it is copied into WebAssembly
 * memory, which never shrinks: an oversized request must not grow the module for good.
 * Returns the limit in bytes.
 * @param {string | Uint8Array} body
 * @param {number} maxPayloadBytes 0 for the default
 */
function refuseOversized(body, maxPayloadBytes) {
  assertReady();
  const limit = maxPayloadBytes || (defaultMaxPayloadBytes ??= glue.defaultMaxPayloadBytes());
  // A string has at least as many UTF-8 bytes as UTF-16 units; the core checks exactly.
  if ((typeof body === 'string' ? body.length : body.byteLength) > limit) {
    throw failure(glue.payloadTooLarge(maxPayloadBytes));
  }
  return limit;
}

/** @param {Secret} secret */
function secretBytes(secret) {
  if (typeof secret === 'string' || secret instanceof Uint8Array) return secret;
  if (secret instanceof ArrayBuffer) return new Uint8Array(secret);
  throw new WebhookError('invalid_secret', 'A secret is a string (whsec_...) or raw bytes (Uint8Array, ArrayBuffer).');
}

/** @param {Secret | readonly Secret[]} secretOrSecrets */
function secretList(secretOrSecrets) {
  const list = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets];
  if (list.length === 0) throw new WebhookError('invalid_secret', 'Give at least one secret.');
  return list.map(secretBytes);
}

/**
 * A verifier bound to one or more secrets (several during a rotation). The keyed HMAC
 * state of each secret is computed once; every delivery then costs one hash of the body.
 */
export class Webhook {
  /** @type {(string | Uint8Array)[]} */
  #secrets;
  /** @type {VerifyOptions} */
  #options;
  #maxPayloadBytes;
  /** @type {InstanceType<typeof glue.Keys> | null} */
  #keys = null;
  #generation = -1;

  /**
   * @param {Secret | readonly Secret[]} secretOrSecrets
   * @param {VerifyOptions} [options]
   */
  constructor(secretOrSecrets, options = {}) {
    this.#secrets = secretList(secretOrSecrets);
    this.#options = options;
    this.#maxPayloadBytes = optionNumbers(options).maxPayloadBytes;
    this.#currentKeys();
  }

  /** Frees the keyed state now rather than when the garbage collector gets to it. */
  [release]() {
    if (this.#keys !== null && this.#generation === generation) this.#keys.free();
    this.#keys = null;
  }

  /** The keys in the current instance, rebuilt if the instance was replaced. */
  #currentKeys() {
    if (this.#keys !== null && this.#generation === generation) return this.#keys;
    assertReady();
    const keys = new glue.Keys();
    for (const secret of this.#secrets) {
      writeInputs(secret);
      const status = keys.addSecret(written.a);
      if (status !== 0) throw failure(status);
    }
    this.#keys = keys;
    this.#generation = generation;
    return keys;
  }

  /**
   * Verifies the signature, then parses the event. Throws `WebhookError`.
   * @param {unknown} payload the raw body
   * @param {unknown} signatureOrHeaders the signature, or the request headers
   * @param {VerifyOptions} [options] overrides the options given to the constructor
   * @returns {CasPayEvent}
   */
  verify(payload, signatureOrHeaders, options = this.#options) {
    const { maxPayloadBytes, tolerance, now } = optionNumbers(options);
    const body = rawBody(payload);
    try {
      refuseOversized(body, maxPayloadBytes);
      const keys = this.#currentKeys();
      writeInputs(body, signatureFrom(signatureOrHeaders));
      const status = keys.construct(written.a, written.b, maxPayloadBytes, 0, tolerance, now);
      if (status !== 0) throw failure(status);
      return outputEvent();
    } catch (error) {
      return rethrow(error);
    }
  }

  /**
   * Checks only the signature and returns the index of the secret that matched; like the
   * core's verify, it applies a size limit only when `maxPayloadBytes` was given.
   * Throws `WebhookError`. The fastest call: nothing is parsed or allocated.
   * @param {unknown} payload
   * @param {unknown} signatureOrHeaders
   * @returns {number}
   */
  verifySignature(payload, signatureOrHeaders) {
    const body = rawBody(payload);
    try {
      const limited = this.#maxPayloadBytes > 0;
      if (limited) refuseOversized(body, this.#maxPayloadBytes);
      const keys = this.#currentKeys();
      writeInputs(body, signatureFrom(signatureOrHeaders));
      if (limited && written.a > this.#maxPayloadBytes) throw failure(glue.payloadTooLarge(this.#maxPayloadBytes));
      const result = keys.verify(written.a, written.b);
      if (result < 0) throw failure(-result);
      return result;
    } catch (error) {
      return rethrow(error);
    }
  }

  /**
   * Signs a body with the first (current) secret.
   * @param {unknown} payload
   * @returns {string} lowercase hex
   */
  sign(payload) {
    const body = rawBody(payload);
    try {
      const keys = this.#currentKeys();
      writeInputs(body);
      const status = keys.sign(written.a);
      if (status !== 0) throw failure(status);
      return outputText();
    } catch (error) {
      return rethrow(error);
    }
  }

  toJSON() {
    return { secrets: `[REDACTED x${this.#secrets.length}]`, options: this.#options };
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Webhook { secrets: [REDACTED x${this.#secrets.length}] }`;
  }
}

/**
 * A key for a secret set that no other set shares: each secret is tagged with its kind and
 * length, so `'["x"]'` and `['x']`, or text and bytes, can never meet.
 * @param {Secret | readonly Secret[]} secretOrSecrets
 * @returns {string}
 */
function cacheKey(secretOrSecrets) {
  const list = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets];
  let key = '';
  for (const secret of list) {
    if (typeof secret === 'string') {
      key += `s${secret.length}:${secret}`;
    } else {
      const bytes = secretBytes(secret);
      key += `b${bytes.length}:${Array.from(/** @type {Uint8Array} */ (bytes), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    }
  }
  return key;
}

/** @param {Secret | readonly Secret[]} secretOrSecrets */
function cachedWebhook(secretOrSecrets) {
  if (last.webhook !== null && secretOrSecrets === last.secret) return last.webhook;
  const key = cacheKey(secretOrSecrets);
  let webhook = verifiers.get(key);
  if (webhook !== undefined) {
    verifiers.delete(key);
  } else {
    webhook = new Webhook(secretOrSecrets);
    if (verifiers.size >= VERIFIER_CACHE_SIZE) {
      const [oldestKey, oldest] = verifiers.entries().next().value ?? [];
      if (oldestKey !== undefined) verifiers.delete(oldestKey);
      oldest?.[release]();
    }
  }
  verifiers.set(key, webhook);
  last.secret = typeof secretOrSecrets === 'string' ? secretOrSecrets : null;
  last.webhook = webhook;
  return webhook;
}

/**
 * True when `signature` is CasPay's signature of `payload` under `secret`. Never throws:
 * any bad input (wrong types, `test_signature`, empty secret) is simply `false`.
 * @param {unknown} payload
 * @param {unknown} signature
 * @param {Secret | readonly Secret[]} secret
 * @returns {boolean}
 */
export function verifyWebhook(payload, signature, secret) {
  assertReady();
  try {
    cachedWebhook(secret).verifySignature(payload, signature);
    return true;
  } catch {
    return false;
  }
}

/**
 * Verifies, then parses: size, then signature, then JSON, then event, then freshness.
 * Throws `WebhookError`.
 * @param {unknown} payload
 * @param {unknown} signatureOrHeaders
 * @param {Secret | readonly Secret[]} secretOrSecrets
 * @param {VerifyOptions} [options]
 * @returns {CasPayEvent}
 */
export function constructEvent(payload, signatureOrHeaders, secretOrSecrets, options = {}) {
  return cachedWebhook(secretOrSecrets).verify(payload, signatureOrHeaders, options);
}

/**
 * Parses a body into the normalized event WITHOUT checking its signature: for bodies
 * already verified, or tests. Throws `WebhookError`.
 * @param {unknown} payload
 * @param {VerifyOptions} [options]
 * @returns {CasPayEvent}
 */
export function parseEvent(payload, options = {}) {
  const { maxPayloadBytes, tolerance, now } = optionNumbers(options);
  const body = rawBody(payload);
  try {
    refuseOversized(body, maxPayloadBytes);
    writeInputs(body);
    const status = glue.parse(written.a, maxPayloadBytes, 0, tolerance, now);
    if (status !== 0) throw failure(status);
    return outputEvent();
  } catch (error) {
    return rethrow(error);
  }
}

/**
 * CasPay's signature of `payload` under `secret`, for tests of your own endpoint.
 * @param {unknown} payload
 * @param {Secret} secret
 * @returns {string} lowercase hex
 */
export function sign(payload, secret) {
  const body = rawBody(payload);
  try {
    writeInputs(body, secretBytes(secret));
    const status = glue.signOnce(written.a, written.b);
    if (status !== 0) throw failure(status);
    return outputText();
  } catch (error) {
    return rethrow(error);
  }
}

/**
 * A realistic body CasPay could send, for tests.
 * @param {import('../types/index.js').EventType} type
 * @param {'a' | 'b' | 'c'} [shape] a: documented, b: data.object, c: what the server posts today
 * @param {{ seed?: string, created?: number }} [options] id suffix and unix time; random and now by default
 * @returns {string}
 */
export function sampleEvent(type, shape = 'a', options = {}) {
  const shapeNumber = SHAPES[shape];
  if (shapeNumber === undefined) throw new RangeError("shape must be 'a', 'b' or 'c'");
  const seed = options.seed ?? randomSeed();
  const created = options.created ?? Math.floor(Date.now() / 1000);
  try {
    writeInputs(String(type), seed);
    const status = glue.sample(written.a, shapeNumber, written.b, created);
    if (status !== 0) throw new RangeError(`unknown event type: ${type}`);
    return outputText();
  } catch (error) {
    return rethrow(error);
  }
}

/** @type {readonly import('../types/index.js').EventType[] | undefined} */
let knownEventTypes;

/**
 * Every event type this version knows (CasPay's documented and emitted types, both
 * spellings of `subscription.canceled`), from the core. Other types still parse, as
 * `kind: 'unknown'`.
 * @returns {readonly import('../types/index.js').EventType[]}
 */
export function eventTypes() {
  if (knownEventTypes === undefined) {
    assertReady();
    try {
      glue.eventTypes();
      knownEventTypes = Object.freeze(JSON.parse(outputText()));
    } catch (error) {
      return rethrow(error);
    }
  }
  return /** @type {readonly import('../types/index.js').EventType[]} */ (knownEventTypes);
}

function randomSeed() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Integer motes to CSPR, exactly (1 CSPR = 10^9 motes): "100000000000" → "100".
 * @param {string | bigint} motes
 * @returns {string}
 */
export function motesToCspr(motes) {
  try {
    writeInputs(String(motes));
    const status = glue.motesToCspr(written.a);
    if (status !== 0) throw new RangeError(`motes must be a non-negative integer, got ${String(motes)}`);
    return outputText();
  } catch (error) {
    return rethrow(error);
  }
}
