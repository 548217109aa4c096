import { WebhookError } from './errors.js';

/**
 * The raw body as the core takes it: text or bytes, never copied.
 * @param {unknown} payload
 * @returns {string | Uint8Array}
 */
export function rawBody(payload) {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  if (ArrayBuffer.isView(payload)) return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new WebhookError('invalid_payload', describeWrongPayload(payload));
}

/** @param {unknown} payload */
function describeWrongPayload(payload) {
  if (payload !== null && typeof payload === 'object') {
    return 'The payload is an already-parsed object. Verify the raw request body exactly as received: '
      + 'a string, Buffer, Uint8Array or ArrayBuffer. Re-serializing JSON changes the bytes CasPay signed. '
      + "With Express, mount `express.raw({ type: 'application/json' })` on the webhook route (before any "
      + 'express.json()) and pass `req.body`; with fetch-style handlers pass `await request.arrayBuffer()` (the bytes as sent: '
      + '`request.text()` would drop a leading byte order mark and replace invalid UTF-8).';
  }
  return `The payload must be the raw request body (a string, Buffer, Uint8Array or ArrayBuffer), not ${payload === null ? 'null' : typeof payload}.`;
}

/**
 * The signature header value from a signature string, a `Headers` object, Node's
 * `IncomingHttpHeaders` or any plain record (header names case-insensitive).
 * @param {unknown} source
 * @returns {string}
 */
export function signatureFrom(source) {
  if (typeof source === 'string') return source;
  if (source == null || typeof source !== 'object') return '';
  const headers = /** @type {Record<string, unknown> & { get?: unknown }} */ (source);
  if (typeof headers.get === 'function') {
    return String(headers.get('x-caspay-signature') ?? '');
  }
  for (const name in headers) {
    if (name.length === 18 && name.toLowerCase() === 'x-caspay-signature') {
      const value = headers[name];
      // Node joins repeated unknown headers; an array here means several were sent,
      // which the core rejects as a malformed signature.
      return Array.isArray(value) ? value.join(', ') : String(value ?? '');
    }
  }
  return '';
}
