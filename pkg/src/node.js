// Node.js (import): the module is read from disk and instantiated synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './engine.js';

initSync(readFileSync(new URL('../wasm/caspay_webhooks_bg.wasm', import.meta.url)));

export * from './exports.js';
