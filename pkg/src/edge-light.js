// Next.js's edge runtime (route handlers with `runtime = 'edge'`, middleware) and Vercel
// Edge Functions: the `edge-light` condition. They refuse to compile WebAssembly from bytes
// at run time ("Dynamic WASM code generation"), so the module comes in as a compiled
// `WebAssembly.Module` through the `.wasm?module` import that webpack and Turbopack support
// there. It is instantiated (synchronously) on the first call, not on import: `next build`
// imports edge routes to collect page data without providing their WebAssembly bindings.
import module from '../wasm/caspay_webhooks_bg.wasm?module';
import { initSync, loadOnFirstUse } from './engine.js';

loadOnFirstUse(() => initSync(module));

export * from './exports.js';
export { init, initSync } from './loaded.js';
