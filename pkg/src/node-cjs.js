// Node.js (require): bundled into dist/node.cjs, which sits one folder below the package
// root like this file, so the relative path to the module is the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './engine.js';

initSync(readFileSync(join(__dirname, '../wasm/caspay_webhooks_bg.wasm')));

export * from './exports.js';
