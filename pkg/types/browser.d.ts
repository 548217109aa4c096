// Types of the browser build (the `browser` condition, and the default for bundlers that
// TypeScript resolves without a platform, `moduleResolution: "bundler"`): everything in
// index.d.ts, plus loading the WebAssembly module, which a browser must do once before the
// first call. In the other builds the module is loaded on import, and `init` / `initSync`
// exist only so that code shared with a browser runs unchanged (they do nothing there).
export * from './index.js';

/**
 * Loads the WebAssembly module (once; later calls resolve at once). Call `await init()`
 * before any other function: until then every function throws a `WebhookError` that says
 * so. By default it fetches `caspay_webhooks_bg.wasm` next to the package's files, which
 * Vite, webpack and Turbopack emit as an asset; pass a URL, a `Response`, bytes or a
 * compiled `WebAssembly.Module` to load it from elsewhere.
 */
export declare function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Instantiates synchronously from bytes or a compiled module the page already has. */
export declare function initSync(module: BufferSource | WebAssembly.Module): void;
