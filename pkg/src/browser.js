// Browsers and bundlers: `await init()` fetches and compiles the module with
// instantiateStreaming; `initSync(bytesOrModule)` instantiates bytes the page already has.
import { initAsync, initSync } from './engine.js';

/**
 * Loads the WebAssembly module (once).
 * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [input] where the
 *   `.wasm` is; by default next to this package's files
 */
export function init(input = new URL('../wasm/caspay_webhooks_bg.wasm', import.meta.url)) {
  return initAsync(input);
}

export { initSync };
export * from './exports.js';
