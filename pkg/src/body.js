// Reading a request body exactly as it arrived, never more than the limit, for fetch-style
// requests and Node's IncomingMessage alike. CasPay sends plain JSON and signs those bytes,
// so an encoded body (gzip, br…) is refused rather than decoded: what was signed is
// unknowable after a proxy compressed it.
import { WebhookError } from './errors.js';

/**
 * The refusal for a `Content-Encoding` other than identity, or null.
 * @param {string | null | undefined} encoding
 */
export function encodingRefusal(encoding) {
  if (encoding == null || encoding === '' || encoding.trim().toLowerCase() === 'identity') return null;
  return new WebhookError('unsupported_encoding', `The body arrived with Content-Encoding: ${encoding}. CasPay signs and sends plain JSON; send it without an encoding.`);
}

/** @param {number} limit */
export function tooLarge(limit) {
  return new WebhookError('payload_too_large', `The body exceeds the limit of ${limit} bytes.`);
}

/**
 * A fetch `Request`'s body, counted as it streams (Content-Length can be absent or wrong).
 * @param {Request} request
 * @param {number} limit
 * @returns {Promise<Uint8Array>}
 */
export async function readRequestBody(request, limit) {
  const refusal = encodingRefusal(request.headers.get('content-encoding'));
  if (refusal) throw refusal;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);
  if (request.bodyUsed) {
    throw new WebhookError('invalid_payload', 'The request body was already read (request.json(), request.text() or a validator) before the receiver: give the receiver the request first, or a clone of it.');
  }
  const reader = request.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

/**
 * @typedef {{
 *   headers: Record<string, string | string[] | undefined>,
 *   body?: unknown,
 *   readableEnded: boolean,
 *   on(event: string, listener: (...args: any[]) => void): unknown,
 *   off(event: string, listener: (...args: any[]) => void): unknown,
 *   resume(): unknown,
 * }} NodeRequest
 */

/**
 * A Node `IncomingMessage`'s raw body. Frameworks that already read it leave it in
 * `req.body`: bytes or text are used as they are; a parsed object means a JSON body
 * parser ran first, which is refused with the fix. Resolves to null when the client went
 * away mid-body (nobody is left to answer).
 * @param {NodeRequest} req
 * @param {number} limit
 * @returns {Promise<Uint8Array | string | null>}
 */
export function readNodeBody(req, limit) {
  // Express 4's body parsers set `req.body = {}` on every request they leave unread.
  if (req.body !== undefined && !(isEmptyObject(req.body) && !req.readableEnded)) {
    const body = req.body;
    if (typeof body === 'string' || body instanceof Uint8Array) return Promise.resolve(body);
    return Promise.reject(new WebhookError('invalid_payload', 'The request body was already parsed by a JSON body parser, so the bytes CasPay signed are gone. Mount the CasPay route before express.json() / bodyParser, or give it express.raw({ type: () => true }); in a Next.js API route (pages/api), export const config = { api: { bodyParser: false } }.'));
  }
  if (req.readableEnded) {
    return Promise.reject(new WebhookError('invalid_payload', 'The request body was already read by other code before the receiver, and not kept in req.body: give the receiver the request before anything reads it.'));
  }
  const header = req.headers['content-encoding'];
  const refusal = encodingRefusal(Array.isArray(header) ? header.join(',') : header);
  if (refusal) return drainThenReject(req, refusal);
  if (Number(req.headers['content-length'] ?? 0) > limit) return drainThenReject(req, tooLarge(limit));
  return new Promise((resolve, reject) => {
    /** @type {Uint8Array[]} */
    const chunks = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
      req.off('close', onClose);
    };
    /** @param {Uint8Array} chunk */
    const onData = (chunk) => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        // Keep reading into nothing so the answer can still be written on this socket.
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(concat(chunks, size));
    };
    const onGone = () => {
      cleanup();
      resolve(null);
    };
    const onClose = () => {
      if (req.readableEnded) return;
      onGone();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('aborted', onGone);
    req.on('close', onClose);
  });
}

/** @param {unknown} value */
function isEmptyObject(value) {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0;
}

/**
 * @param {NodeRequest} req
 * @param {WebhookError} error
 * @returns {Promise<never>}
 */
function drainThenReject(req, error) {
  req.on('error', () => {});
  req.resume();
  return Promise.reject(error);
}

/**
 * @param {Uint8Array[]} chunks
 * @param {number} size
 */
function concat(chunks, size) {
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
