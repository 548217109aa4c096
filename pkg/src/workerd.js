// Cloudflare Workers (workerd): the runtime hands `.wasm` imports over as compiled
// modules, and instantiation is synchronous. No Node API, no WebCrypto.
import module from '../wasm/caspay_webhooks_bg.wasm';
import { initSync } from './engine.js';

initSync(module);

export * from './exports.js';
export { init, initSync } from './loaded.js';
