// `init` and `initSync` for the entries that load the module on import (Node, Bun, Deno,
// Workers, edge runtimes, the embedded build). They do nothing: they exist so that code
// shared with a browser (which must `await init()`) runs unchanged on the server. A
// TypeScript project resolving the package with `moduleResolution: "bundler"` (Next.js,
// Vite) sees the browser's declarations, `init` included, whatever the platform; without
// these, `import { init }` would compile and then fail at run time.

/**
 * Resolves at once: this build loaded the WebAssembly module on import.
 * @param {unknown} [_input] ignored
 * @returns {Promise<void>}
 */
export async function init(_input) {}

/**
 * Does nothing: this build loaded the WebAssembly module on import.
 * @param {unknown} [_module] ignored
 */
export function initSync(_module) {}
