// Everything the package exports, the same on every platform; the platform entries only
// load the WebAssembly module first.
export * from './api.js';
export { Inbox, defaultBackoff, DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETAIN_DONE_SECONDS } from './inbox.js';
export { Receiver, createReceiver, DEFAULT_RECEIVER_MAX_PAYLOAD_BYTES } from './receiver.js';
export { MemoryStore } from './stores/memory.js';
