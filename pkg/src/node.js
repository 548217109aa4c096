// Node.js, Bun and Deno (import). The module's bytes are embedded in a generated JavaScript
// file (base64) and instantiated synchronously on import. Reading a `.wasm` file next to
// this one instead (`readFileSync(new URL(…, import.meta.url))`) breaks as soon as a
// bundler touches the package: webpack (Next.js) rewrites `new URL(…)` into an asset URL
// that `fs` refuses, and a server bundle copied elsewhere has no `.wasm` beside it. Text
// is something every bundler carries as it is. Cost, measured: see scripts/build-pkg.sh.
import { Buffer } from 'node:buffer';
import wasmBase64 from '../wasm/caspay_webhooks_bg.wasm.base64.js';
import { initSync } from './engine.js';

initSync(Buffer.from(wasmBase64, 'base64'));

export * from './exports.js';
export { init, initSync } from './loaded.js';
