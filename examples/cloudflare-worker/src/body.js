// Reads a request body without ever holding more than the limit: Content-Length can be
// absent (chunked uploads) or wrong, so the bytes are counted as they arrive.

/**
 * @param {Request} request
 * @param {number} maxBytes
 * @returns {Promise<Uint8Array | null>} the raw body, or null once it exceeds `maxBytes`
 */
export async function readLimitedBody(request, maxBytes) {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
