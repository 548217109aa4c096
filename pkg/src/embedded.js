// `caspay-webhooks/embedded`: the module's bytes embedded in JavaScript and instantiated on
// import, for any runtime and any bundler, whether or not it knows `.wasm` files or
// `new URL(…, import.meta.url)` assets (esbuild and Rollup without plugins, Web Workers,
// a single-file build). About a third more bytes than the `.wasm` file, and no streaming
// compilation; where the bundler handles assets (Vite, webpack), the default browser entry
// with `await init()` is lighter.
import wasmBase64 from '../wasm/caspay_webhooks_bg.wasm.base64.js';
import { initSync } from './engine.js';

initSync(decodeBase64(wasmBase64));

/**
 * @param {string} text
 * @returns {Uint8Array}
 */
function decodeBase64(text) {
  const fromBase64 = /** @type {{ fromBase64?: (text: string) => Uint8Array }} */ (/** @type {unknown} */ (Uint8Array)).fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export * from './exports.js';
export { init, initSync } from './loaded.js';
