// The bridge to the WebAssembly core: inputs are written straight into the module's input
// buffer and results read from its output buffer, so a call costs one write and no
// allocation on either side. Everything here is synchronous.
import * as glue from '../wasm/caspay_webhooks.js';
import { WebhookError, codeOfStatus } from './errors.js';
import { readEvent } from './event-record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @type {Uint8Array<ArrayBufferLike>} */
let memory = new Uint8Array(0);
let ready = false;
/** Bumped whenever the instance is replaced; objects holding keys rebuild them. */
export let generation = 0;
/** Lengths of the segments written by the last `writeInputs`. */
export const written = { a: 0, b: 0, c: 0 };

/** @param {BufferSource | WebAssembly.Module} module */
export function initSync(module) {
  glue.initSync({ module });
  ready = true;
  refreshMemory();
}

/** @type {(() => void) | null} */
let loader = null;

/**
 * Loads the module on the first call that needs it rather than on import: for runtimes
 * whose build step evaluates the package without the module at hand (Next.js collects
 * page data by importing edge routes without their WebAssembly bindings).
 * @param {() => void} load
 */
export function loadOnFirstUse(load) {
  loader = load;
}

/** @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} input */
export async function initAsync(input) {
  await glue.default({ module_or_path: input });
  ready = true;
  refreshMemory();
}

export function assertReady() {
  // A failed load throws its own error, and is tried again by the next call.
  if (!ready && loader !== null) loader();
  if (!ready) {
    throw new WebhookError('internal_error', 'caspay-webhooks: the WebAssembly module is not loaded yet. In a browser, call `await init()` (or `initSync(bytes)`) once before any other function.');
  }
}

function refreshMemory() {
  memory = new Uint8Array(/** @type {WebAssembly.Memory} */ (glue.wasmMemory()).buffer);
}

/** The exports, for callers that drive them directly (Keys, parse, sign…). */
export { glue };

/** @param {string | Uint8Array} part */
const maxLength = (part) => (typeof part === 'string' ? part.length * 3 : part.length);

// The input buffer's address only changes when it grows, so its view is kept between
// calls and rebuilt only after growth (of the buffer, or of memory, which detaches views).
let inputPtr = 0;
let inputCapacity = 0;
/** @type {Uint8Array<ArrayBufferLike>} */
let inputView = new Uint8Array(0);

/** @param {number} length */
function reserveInput(length) {
  if (length > inputCapacity) {
    const ptr = glue.inputReserve(length);
    if (ptr === 0) {
      throw new WebhookError('payload_too_large', 'The input does not fit in WebAssembly memory.');
    }
    inputPtr = ptr;
    inputCapacity = length;
    inputView = new Uint8Array(0);
  }
  if (inputView.byteLength === 0) {
    if (memory.byteLength === 0) refreshMemory();
    inputView = memory.subarray(inputPtr);
  }
}

/**
 * @param {string | Uint8Array} part
 * @param {number} at
 */
function put(part, at) {
  if (typeof part !== 'string') {
    inputView.set(part, at);
    return part.length;
  }
  // encodeInto never needs more than three bytes per UTF-16 unit, which reserveInput allowed.
  return encoder.encodeInto(part, at === 0 ? inputView : inputView.subarray(at)).written;
}

/**
 * Writes up to three inputs back to back into the module's input buffer; their byte
 * lengths land in `written`.
 * @param {string | Uint8Array} a
 * @param {string | Uint8Array} [b]
 * @param {string | Uint8Array} [c]
 */
export function writeInputs(a, b = '', c = '') {
  assertReady();
  reserveInput(maxLength(a) + maxLength(b) + maxLength(c));
  written.a = put(a, 0);
  written.b = b.length === 0 ? 0 : put(b, written.a);
  written.c = c.length === 0 ? 0 : put(c, written.a + written.b);
}

/** The last output as text (JSON, a signature, a body). */
export function outputText() {
  const ptr = glue.outputPtr();
  const len = glue.outputLen();
  // Growing WebAssembly memory detaches the old buffer, which empties every view on it.
  if (memory.byteLength === 0) refreshMemory();
  return decoder.decode(memory.subarray(ptr, ptr + len));
}

/** The event the last `parse` or `construct` wrote. */
export function outputEvent() {
  const ptr = glue.outputPtr();
  const len = glue.outputLen();
  if (memory.byteLength === 0) refreshMemory();
  return readEvent(memory.subarray(ptr, ptr + len));
}

/**
 * The error the core reported with `status`, rebuilt from its JSON.
 * @param {number} status
 */
export function failure(status) {
  /** @type {{ code: string, message: string, field: string | null, position: number | null }} */
  const error = JSON.parse(outputText());
  const code = /** @type {import('../types/index.js').WebhookErrorCode} */ (error.code || codeOfStatus(status));
  return new WebhookError(code, error.message, error);
}

/**
 * Turns a trap into `internal_error` after replacing the instance: a trapped instance may
 * hold half-updated state and must never be called again.
 * @param {unknown} error
 * @returns {never}
 */
export function rethrow(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    glue.__wbg_reset_state();
    generation += 1;
    inputCapacity = 0;
    refreshMemory();
    throw new WebhookError('internal_error', 'The WebAssembly instance failed and was replaced by a fresh one; the call can be retried.', { cause: error });
  }
  throw error;
}
