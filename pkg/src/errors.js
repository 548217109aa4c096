/**
 * The one error type the package throws. `code` is stable across versions and identical in
 * every host (Rust, Node, Workers, browsers, PHP); `message` explains what to do.
 */
export class WebhookError extends Error {
  /**
   * @param {import('../types/index.js').WebhookErrorCode} code
   * @param {string} message
   * @param {{ field?: string | null, position?: number | null, cause?: unknown }} [details]
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WebhookError';
    this.code = code;
    /** For `invalid_event`: the path of the offending field, e.g. `data.payment.amount`. */
    this.field = details.field ?? null;
    /** For `invalid_json`: the byte offset where parsing failed. */
    this.position = details.position ?? null;
  }

  /** The HTTP status a receiver should answer with for this error. */
  get httpStatus() {
    return httpStatusOf(this.code);
  }
}

/** Every stable code, in the order of their ABI numbers (number = index + 1). */
export const ERROR_CODES = Object.freeze([
  'missing_signature',
  'invalid_signature_format',
  'signature_mismatch',
  'invalid_secret',
  'payload_too_large',
  'invalid_json',
  'invalid_event',
  'timestamp_outside_tolerance',
  'duplicate_event',
  'invalid_payload',
  'internal_error',
  'processing_failed',
  'processing_in_progress',
  'store_unavailable',
  'unsupported_encoding',
  'retry_scheduled',
]);

// A configuration or programming mistake (bad secret, parsed payload) is the server's
// fault (500), so CasPay retries once it is fixed; bad signatures are 401, bad bodies 400.
/** @type {Readonly<Record<string, number>>} */
const HTTP_STATUS = {
  missing_signature: 401,
  invalid_signature_format: 401,
  signature_mismatch: 401,
  payload_too_large: 413,
  invalid_json: 400,
  invalid_event: 400,
  timestamp_outside_tolerance: 400,
  duplicate_event: 200,
  invalid_payload: 500,
  invalid_secret: 500,
  internal_error: 500,
  processing_failed: 500,
  processing_in_progress: 409,
  store_unavailable: 503,
  unsupported_encoding: 415,
  retry_scheduled: 409,
};

/**
 * The HTTP status for a stable code.
 * @param {string} code
 */
export function httpStatusOf(code) {
  return HTTP_STATUS[code] ?? 500;
}

/** @param {number} status ABI status (1-based) */
export function codeOfStatus(status) {
  return ERROR_CODES[status - 1] ?? 'internal_error';
}
