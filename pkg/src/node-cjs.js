// Node.js (require): bundled into dist/node.cjs with the module's bytes embedded, like the
// ESM entry (src/node.js says why).
import wasmBase64 from '../wasm/caspay_webhooks_bg.wasm.base64.js';
import { initSync } from './engine.js';

initSync(Buffer.from(wasmBase64, 'base64'));

export * from './exports.js';
export { init, initSync } from './loaded.js';
